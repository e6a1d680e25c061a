using System.Buffers;
using Grpc.Core;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Bytestream.Testing.Internal;

/// <summary>
/// Decodes the zstd stream of one Write call to a <c>compressed-blobs/zstd/</c> upload name as its bytes arrive, into
/// a <see cref="DecodedBlob"/> of the storage's (an array, a temporary file, or a count for
/// <see cref="ByteStreamTestServerOptions.DiscardData"/>), hashing it on the way when asked. The decoder itself holds a
/// fixed amount of memory whatever the blob's size: the zstd window (at most 128 MiB, what the frame asks for) and
/// one output buffer. The name's size bounds the output: a stream that decodes to more fails at the first byte too
/// many, so the blob never grows past it. Concatenated frames decode as one stream, as zstd defines. Not thread-safe.
/// </summary>
internal sealed class ZstdUploadDecoder : IDisposable
{
    /// <summary>The largest window a frame may ask for: 128 MiB, zstd's own default limit.</summary>
    private const int MaxWindowLog = 27;

    /// <summary>The output buffer: decoded bytes go through it to the blob and the hash.</summary>
    private const int OutputBufferSize = 128 * 1024;

    private readonly ReapiNames _name;
    private readonly string _resourceName;
    private readonly DecodedBlob _output;
    private readonly BlobDigest? _digest;
    private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(OutputBufferSize);
    private readonly Decompressor _decompressor = new();
    private bool _frameOpen;

    /// <param name="name">The upload name, parsed; its size is the uncompressed size the stream must decode to.</param>
    /// <param name="resourceName">The name as the client sent it, for messages.</param>
    /// <param name="output">Where the decoded bytes go; the decoder disposes it.</param>
    /// <param name="digest">The hash of the decoded bytes to keep, or <see langword="null"/>; the decoder disposes it.</param>
    public ZstdUploadDecoder(ReapiNames name, string resourceName, DecodedBlob output, BlobDigest? digest)
    {
        _name = name;
        _resourceName = resourceName;
        _output = output;
        _digest = digest;
        _decompressor.SetParameter(ZSTD_dParameter.ZSTD_d_windowLogMax, MaxWindowLog);
    }

    /// <summary>Gets the uncompressed bytes decoded so far.</summary>
    public long Decoded => _output.Length;

    /// <summary>Gets the decoded blob, complete after <see cref="Finish"/>.</summary>
    public DecodedBlob Output => _output;

    /// <summary>Decodes the data of one request.</summary>
    /// <exception cref="RpcException">INVALID_ARGUMENT: the data is not zstd, or decodes to more than the name's size.</exception>
    public void Feed(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var status = _decompressor.UnwrapStream(data, _buffer.AsSpan(0, OutputBufferSize), out var consumed, out var written);
            data = data[consumed..];
            if (status == OperationStatus.InvalidData)
            {
                throw Invalid($"its data does not decode as zstd (after {Decoded} uncompressed bytes)");
            }

            if (Decoded + written > _name.Size)
            {
                throw Invalid($"its data decodes to more than the name's size {_name.Size}");
            }

            var decoded = _buffer.AsSpan(0, written);
            _output.Write(decoded);
            _digest?.Append(decoded);
            if (consumed == 0 && written == 0 && status != OperationStatus.Done)
            {
                throw Invalid($"its data stopped decoding (after {Decoded} uncompressed bytes)");
            }

            _frameOpen = status != OperationStatus.Done;
        }
    }

    /// <summary>Ends the stream at finish_write: <see cref="Output"/> then holds the whole blob.</summary>
    /// <exception cref="RpcException">INVALID_ARGUMENT: the stream ended inside a frame, or decoded to fewer bytes than the name's size.</exception>
    public void Finish()
    {
        if (_frameOpen)
        {
            throw Invalid("its data ends inside a zstd frame (truncated)");
        }

        if (Decoded != _name.Size)
        {
            throw Invalid($"its data decodes to {Decoded} bytes, not the name's size {_name.Size}");
        }
    }

    /// <summary>The hash of the decoded blob in lowercase hexadecimal, once, after <see cref="Finish"/>; <see langword="null"/> when the decoder was given no hash to keep.</summary>
    public string? FinishDigest() => _digest?.FinishHex();

    public void Dispose()
    {
        _decompressor.Dispose();
        _output.Dispose();
        _digest?.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
    }

    private RpcException Invalid(string what) =>
        new(new Status(StatusCode.InvalidArgument, $"The compressed upload '{_resourceName}' is refused: {what}."));
}
