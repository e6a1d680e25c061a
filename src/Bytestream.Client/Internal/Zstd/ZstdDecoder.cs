using System.Buffers;
using System.Collections.Concurrent;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Bytestream.Client.Internal.Zstd;

/// <summary>
/// The codec seam for decompression, in the shape of .NET's span-based decoders (.NET 11's
/// <c>ZstandardDecoder</c> can replace ZstdSharp here alone). Decoders are pooled and bounded.
/// Concatenated frames decode as one stream, as zstd defines.
/// </summary>
internal sealed class ZstdDecoder : IDisposable
{
    private static readonly ConcurrentQueue<Decompressor> Pool = new();
    private static readonly int MaxPooled = Environment.ProcessorCount * 2;

    /// <summary>The largest window a frame may ask for: 128 MiB (zstd's default limit is 128 MiB too; long-distance mode needs more).</summary>
    private const int MaxWindowLog = 27;

    private Decompressor? _decompressor;

    private ZstdDecoder(Decompressor decompressor) => _decompressor = decompressor;

    /// <summary>Takes a decoder from the pool (or makes one), at the start of a stream.</summary>
    public static ZstdDecoder Rent()
    {
        if (!Pool.TryDequeue(out var decompressor))
        {
            decompressor = new Decompressor();
            decompressor.SetParameter(ZSTD_dParameter.ZSTD_d_windowLogMax, MaxWindowLog);
        }

        return new ZstdDecoder(decompressor);
    }

    /// <summary>
    /// Decompresses what fits of <paramref name="source"/> into <paramref name="destination"/>:
    /// <see cref="OperationStatus.Done"/> at the end of a frame, <see cref="OperationStatus.NeedMoreData"/> when the
    /// source is used up mid-frame, <see cref="OperationStatus.DestinationTooSmall"/>, or <see cref="OperationStatus.InvalidData"/>.
    /// </summary>
    public OperationStatus Decompress(ReadOnlySpan<byte> source, Span<byte> destination, out int consumed, out int written) =>
        Decompressor.UnwrapStream(source, destination, out consumed, out written);

    /// <summary>Starts a new stream, dropping what the current one holds.</summary>
    public void Reset() => Decompressor.ResetStream();

    /// <summary>
    /// The content size a frame header declares, when <paramref name="header"/> holds a whole header that
    /// declares one; <see langword="null"/> otherwise (a header not complete yet, or a streamed frame without the size).
    /// </summary>
    public static unsafe ulong? DeclaredContentSize(ReadOnlySpan<byte> header)
    {
        ulong size;
        fixed (byte* start = header)
        {
            size = Methods.ZSTD_getFrameContentSize(start, (nuint)header.Length);
        }

        // ZSTD_CONTENTSIZE_UNKNOWN is ~0 and ZSTD_CONTENTSIZE_ERROR is ~0 - 1.
        return size >= ulong.MaxValue - 1 ? null : size;
    }

    /// <summary>Gives the context back to the pool.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _decompressor, null) is not { } decompressor)
        {
            return;
        }

        decompressor.ResetStream();
        if (Pool.Count < MaxPooled)
        {
            Pool.Enqueue(decompressor);
        }
        else
        {
            decompressor.Dispose();
        }
    }

    private Decompressor Decompressor => _decompressor ?? throw new ObjectDisposedException(nameof(ZstdDecoder));
}
