using System.Buffers;

namespace Bytestream.Client.Internal.Zstd;

/// <summary>
/// Turns the zstd stream of one compressed Read call into uncompressed chunks of at most one output
/// buffer, so memory stays bounded whatever the ratio. Each call starts a fresh stream (REAPI: a resumed
/// read asks for an uncompressed offset, and the server compresses from there). Before handing out a
/// byte of a call it checks the content size the first frame declares: more than the bytes left in the
/// blob means a server that ignored <c>read_offset</c> (bb-storage #360), never spliced in.
/// Not thread-safe.
/// </summary>
internal sealed class CompressedReadDecoder : ReadStage
{
    /// <summary>The longest zstd frame header (magic, descriptor, window, dictionary id, content size).</summary>
    private const int MaxFrameHeader = 18;

    private readonly string _resourceName;
    private readonly int _outputSize;
    private readonly byte[] _header = new byte[MaxFrameHeader];
    private ZstdDecoder? _decoder;
    private byte[]? _output;
    private ReadChunk? _input;
    private int _inputOffset;
    private int _headerLength;
    private int _headerFed;
    private bool _headerChecked;
    private bool _frameOpen;
    private long _offset;
    private long _remaining;

    /// <summary>The most uncompressed bytes one <see cref="Decode"/> hands out.</summary>
    public const int DefaultOutputSize = 256 * 1024;

    public CompressedReadDecoder(string resourceName, int outputSize)
    {
        _resourceName = resourceName;
        _outputSize = outputSize;
    }

    /// <summary>A new Read call from uncompressed <paramref name="offset"/>, which should yield <paramref name="remaining"/> bytes.</summary>
    public override void StartCall(long offset, long remaining)
    {
        ReturnInput();
        _decoder ??= ZstdDecoder.Rent();
        _decoder.Reset();
        _offset = offset;
        _remaining = remaining;
        _headerLength = _headerFed = 0;
        _headerChecked = false;
        _frameOpen = false;
    }

    /// <summary>
    /// Takes the next compressed chunk of the call, once <see cref="Decode"/> has used up the one before; the decoder
    /// gives it back to the pool once it is decoded. The first bytes of a call wait in the header buffer until the
    /// header is checked, and are decoded from there.
    /// </summary>
    public override void Feed(ReadChunk chunk)
    {
        ReturnInput();
        _input = chunk;
        if (!_headerChecked)
        {
            var take = Math.Min(MaxFrameHeader - _headerLength, chunk.Length);
            chunk.Data.Span[..take].CopyTo(_header.AsSpan(_headerLength));
            _headerLength += take;
            _inputOffset = take;
            if (_inputOffset == chunk.Length)
            {
                ReturnInput();
            }

            CheckHeader(final: _headerLength == MaxFrameHeader);
        }
    }

    /// <summary>Decodes the next uncompressed bytes (valid until the next call), or returns none when it needs more input.</summary>
    /// <exception cref="ByteStreamException">The data is not zstd.</exception>
    public override ReadOnlyMemory<byte> Decode()
    {
        if (!_headerChecked || (_input is null && _headerFed == _headerLength))
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        _output ??= ArrayPool<byte>.Shared.Rent(_outputSize);
        var output = _output.AsMemory(0, _outputSize);
        var written = 0;
        while (written == 0)
        {
            var fromHeader = _headerFed < _headerLength;
            var input = fromHeader ? _header.AsSpan(_headerFed, _headerLength - _headerFed) : _input!.Data.Span[_inputOffset..];
            var status = _decoder!.Decompress(input, output.Span, out var consumed, out written);
            if (fromHeader)
            {
                _headerFed += consumed;
            }
            else
            {
                _inputOffset += consumed;
            }

            switch (status)
            {
                case OperationStatus.InvalidData:
                    throw ThrowHelper.BadCompressedData(_resourceName, $"the stream from uncompressed offset {_offset} does not decode");
                case OperationStatus.Done:
                    // A frame ended; another may follow (concatenated frames are one zstd stream).
                    _frameOpen = false;
                    break;
                default:
                    _frameOpen |= consumed > 0 || written > 0;
                    break;
            }

            if (status != OperationStatus.DestinationTooSmall && consumed == input.Length)
            {
                if (!fromHeader)
                {
                    ReturnInput();
                }

                if (_input is null)
                {
                    break;
                }

                continue;
            }

            if (consumed == 0 && written == 0 && status != OperationStatus.Done)
            {
                throw ThrowHelper.BadCompressedData(_resourceName, $"the stream from uncompressed offset {_offset} stopped decoding");
            }
        }

        return output[..written];
    }

    /// <summary>The call's stream ended cleanly: a stream shorter than a frame header is checked now, and <see cref="Decode"/> drains what is left.</summary>
    /// <exception cref="ByteStreamException">The first frame declares more than is left.</exception>
    public override void InputEnded()
    {
        if (!_headerChecked)
        {
            CheckHeader(final: true);
        }
    }

    /// <summary>Everything of the call is decoded: every frame must be complete.</summary>
    /// <exception cref="ByteStreamException">The stream ended inside a frame.</exception>
    public override void EndCall()
    {
        if (_frameOpen || _input is not null || _headerFed < _headerLength)
        {
            throw ThrowHelper.BadCompressedData(_resourceName, $"the stream from uncompressed offset {_offset} ended inside a zstd frame (truncated)");
        }
    }

    public override void Dispose()
    {
        ReturnInput();
        _decoder?.Dispose();
        _decoder = null;
        if (_output is { } output)
        {
            _output = null;
            ArrayPool<byte>.Shared.Return(output);
        }
    }

    private void CheckHeader(bool final)
    {
        var declared = ZstdDecoder.DeclaredContentSize(_header.AsSpan(0, _headerLength));
        if (declared is null && !final)
        {
            return;
        }

        // Fewer than declared may be the first of several frames; more cannot be right.
        if (declared > (ulong)_remaining)
        {
            throw ThrowHelper.ProtocolViolation(_resourceName,
                $"the compressed Read from uncompressed offset {_offset} declares a frame of {declared} bytes, more than the {_remaining} left in the blob (a server that ignored read_offset). Nothing of it was handed out.");
        }

        _headerChecked = true;
    }

    private void ReturnInput()
    {
        _input?.Return();
        _input = null;
        _inputOffset = 0;
    }
}
