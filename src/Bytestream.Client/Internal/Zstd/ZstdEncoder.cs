using System.Buffers;
using System.Collections.Concurrent;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Bytestream.Client.Internal.Zstd;

/// <summary>
/// The codec seam for compression: one zstd frame at a time, in the shape of .NET's span-based encoders
/// (<c>BrotliEncoder</c>, and .NET 11's <c>ZstandardEncoder</c>, which can replace ZstdSharp here alone).
/// Encoders are pooled per level and bounded: a compression context costs about a megabyte at the fast levels.
/// </summary>
internal sealed class ZstdEncoder : IDisposable
{
    private static readonly ConcurrentDictionary<int, ConcurrentQueue<Compressor>> Pools = new();
    private static readonly int MaxPooledPerLevel = Environment.ProcessorCount * 2;

    private Compressor? _compressor;
    private readonly int _level;

    private ZstdEncoder(Compressor compressor, int level)
    {
        _compressor = compressor;
        _level = level;
    }

    /// <summary>The lowest and highest levels zstd accepts.</summary>
    public static (int Min, int Max) Levels => (Compressor.MinCompressionLevel, Compressor.MaxCompressionLevel);

    /// <summary>Takes an encoder at <paramref name="level"/> from the pool (or makes one), at the start of a frame.</summary>
    public static ZstdEncoder Rent(int level)
    {
        var compressor = Pools.TryGetValue(level, out var pool) && pool.TryDequeue(out var pooled) ? pooled : new Compressor(level);
        compressor.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
        return new ZstdEncoder(compressor, level);
    }

    /// <summary>
    /// Compresses what fits of <paramref name="source"/> into <paramref name="destination"/>; with
    /// <paramref name="isFinal"/>, ends the frame once the source is consumed (<see cref="OperationStatus.Done"/>).
    /// </summary>
    public OperationStatus Compress(ReadOnlySpan<byte> source, Span<byte> destination, out int consumed, out int written, bool isFinal) =>
        Compressor.WrapStream(source, destination, out consumed, out written, isFinal);

    /// <summary>Writes out what the frame holds so far, without ending it: <see cref="OperationStatus.Done"/> once all of it is out.</summary>
    public OperationStatus Flush(Span<byte> destination, out int written) => Compressor.FlushStream(destination, out written);

    /// <summary>Starts a new frame, dropping what the current one holds.</summary>
    public void Reset() => Compressor.ResetStream();

    /// <summary>Gives the context back to the pool.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _compressor, null) is not { } compressor)
        {
            return;
        }

        compressor.ResetStream();
        var pool = Pools.GetOrAdd(_level, static _ => new ConcurrentQueue<Compressor>());
        if (pool.Count < MaxPooledPerLevel)
        {
            pool.Enqueue(compressor);
        }
        else
        {
            compressor.Dispose();
        }
    }

    private Compressor Compressor => _compressor ?? throw new ObjectDisposedException(nameof(ZstdEncoder));
}
