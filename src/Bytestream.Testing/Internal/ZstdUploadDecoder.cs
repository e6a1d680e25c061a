using System.Buffers;
using Grpc.Core;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Bytestream.Testing.Internal;

/// <summary>
/// Decodes the zstd stream of one Write call to a <c>compressed-blobs/zstd/</c> upload name as its bytes arrive, into
/// the blob's uncompressed bytes (or only counts them, for <see cref="ByteStreamTestServerOptions.DiscardData"/>).
/// The name's size bounds the output: a stream that decodes to more fails at the first byte too many, so memory
/// never exceeds the blob. Concatenated frames decode as one stream, as zstd defines. Not thread-safe.
/// </summary>
internal sealed class ZstdUploadDecoder : IDisposable
{
    /// <summary>The largest window a frame may ask for: 128 MiB, zstd's own default limit.</summary>
    private const int MaxWindowLog = 27;

    private readonly ReapiNames _name;
    private readonly string _resourceName;
    private readonly byte[]? _output;
    private readonly byte[] _scratch;
    private readonly Decompressor _decompressor = new();
    private bool _frameOpen;

    /// <param name="name">The upload name, parsed; its size is the uncompressed size the stream must decode to.</param>
    /// <param name="resourceName">The name as the client sent it, for messages.</param>
    /// <param name="keepBytes">Whether to keep the decoded bytes (else they are only counted).</param>
    /// <exception cref="RpcException">INVALID_ARGUMENT: a blob too large for the server to hold in memory.</exception>
    public ZstdUploadDecoder(ReapiNames name, string resourceName, bool keepBytes)
    {
        _name = name;
        _resourceName = resourceName;
        if (keepBytes && name.Size > Array.MaxLength)
        {
            throw Invalid($"its size {name.Size} is more than the test server holds in one array");
        }

        _output = keepBytes ? GC.AllocateUninitializedArray<byte>((int)name.Size) : null;
        _scratch = ArrayPool<byte>.Shared.Rent(keepBytes ? 1 : 128 * 1024);
        _decompressor.SetParameter(ZSTD_dParameter.ZSTD_d_windowLogMax, MaxWindowLog);
    }

    /// <summary>Gets the uncompressed bytes decoded so far.</summary>
    public long Decoded { get; private set; }

    /// <summary>Decodes the data of one request.</summary>
    /// <exception cref="RpcException">INVALID_ARGUMENT: the data is not zstd, or decodes to more than the name's size.</exception>
    public void Feed(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            // Past the name's size the scratch buffer takes what decodes, to tell the frame's end (no output) from excess.
            var room = _output is not null && Decoded < _output.Length ? _output.AsSpan((int)Decoded) : _scratch.AsSpan();
            var status = _decompressor.UnwrapStream(data, room, out var consumed, out var written);
            data = data[consumed..];
            if (status == OperationStatus.InvalidData)
            {
                throw Invalid($"its data does not decode as zstd (after {Decoded} uncompressed bytes)");
            }

            Decoded += written;
            if (Decoded > _name.Size)
            {
                throw Invalid($"its data decodes to more than the name's size {_name.Size}");
            }

            if (consumed == 0 && written == 0 && status != OperationStatus.Done)
            {
                throw Invalid($"its data stopped decoding (after {Decoded} uncompressed bytes)");
            }

            _frameOpen = status != OperationStatus.Done;
        }
    }

    /// <summary>Ends the stream at finish_write and returns the blob (<see langword="null"/> when bytes are not kept).</summary>
    /// <exception cref="RpcException">INVALID_ARGUMENT: the stream ended inside a frame, or decoded to fewer bytes than the name's size.</exception>
    public byte[]? Finish()
    {
        if (_frameOpen)
        {
            throw Invalid("its data ends inside a zstd frame (truncated)");
        }

        if (Decoded != _name.Size)
        {
            throw Invalid($"its data decodes to {Decoded} bytes, not the name's size {_name.Size}");
        }

        return _output;
    }

    public void Dispose()
    {
        _decompressor.Dispose();
        ArrayPool<byte>.Shared.Return(_scratch);
    }

    private RpcException Invalid(string what) =>
        new(new Status(StatusCode.InvalidArgument, $"The compressed upload '{_resourceName}' is refused: {what}."));
}
