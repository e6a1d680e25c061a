using System.Buffers;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Bytestream.Testing.Internal;

/// <summary>
/// A compressed Read of a <c>compressed-blobs/zstd/</c> name: the stored (uncompressed) bytes from <c>start</c> to the
/// end, compressed on the fly into one zstd frame that declares its content size, as REAPI servers send them.
/// <c>passes</c> above 1 sends that many frames of the same bytes (a server that repeats the data).
/// Memory stays bounded: one input chunk and one message at a time.
/// </summary>
internal sealed class ZstdReadPayload : IReadPayload
{
    private const int InputChunk = 1024 * 1024;
    private const int MaxMessage = 1024 * 1024;

    private readonly IResourceReader _reader;
    private readonly Compressor _compressor;
    private readonly long _start;
    private readonly long _end;
    private int _passesLeft;
    private long _position;
    private ReadOnlyMemory<byte> _input;
    private bool _done;

    public ZstdReadPayload(StoredResource resource, long start, int passes, int level)
    {
        _reader = resource.OpenReader();
        _compressor = new Compressor(level);
        _start = _position = start;
        _end = resource.Length;
        _passesLeft = passes - 1;
        StartFrame();
    }

    public async ValueTask<ReadOnlyMemory<byte>> NextAsync(int max, CancellationToken cancellationToken)
    {
        // A new array per message: the response wraps it, and nothing may change it afterwards.
        var output = new byte[Math.Min(max, MaxMessage)];
        var produced = 0;
        while (produced < output.Length && !_done)
        {
            if (_input.IsEmpty && _position < _end)
            {
                var count = (int)Math.Min(InputChunk, _end - _position);
                _input = await _reader.ReadAsync(_position, count, cancellationToken).ConfigureAwait(false);
                _position += count;
            }

            var final = _position == _end;
            var status = _compressor.WrapStream(_input.Span, output.AsSpan(produced), out var consumed, out var written, final);
            _input = _input[consumed..];
            produced += written;
            if (final && _input.IsEmpty && status == OperationStatus.Done)
            {
                if (_passesLeft-- > 0)
                {
                    _position = _start;
                    StartFrame();
                }
                else
                {
                    _done = true;
                }
            }
        }

        return output.AsMemory(0, produced);
    }

    public void Dispose()
    {
        _compressor.Dispose();
        _reader.Dispose();
    }

    private void StartFrame()
    {
        _compressor.ResetStream();
        _compressor.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
        _compressor.SetPledgedSrcSize((ulong)(_end - _start));
    }
}
