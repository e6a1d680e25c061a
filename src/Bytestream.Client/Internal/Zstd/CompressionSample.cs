using System.Buffers;

namespace Bytestream.Client.Internal.Zstd;

/// <summary>
/// <see cref="BlobCompression.Auto"/>'s look at the data before it chooses zstd (NativeLink falls back to identity the
/// same way): the first <see cref="Size"/> bytes are compressed at the upload's level, and the blob goes compressed only
/// when they shrink by at least 1/32. Random or already compressed data (which zstd makes a few bytes longer) then goes
/// as it is. The cost: one compression of at most 64 KiB, about 0.1 ms at level 1, and for a seekable stream one read
/// of those bytes more.
/// </summary>
internal static class CompressionSample
{
    /// <summary>The most bytes the look takes.</summary>
    public const int Size = 64 * 1024;

    /// <summary>Whether the data that begins with <paramref name="sample"/> is worth compressing.</summary>
    public static bool Compresses(ReadOnlySpan<byte> sample, int level)
    {
        sample = sample[..Math.Min(sample.Length, Size)];
        if (sample.IsEmpty)
        {
            return false;
        }

        // The most compressed bytes that still save 1/32: a frame that does not fit in them is no saving.
        var budget = sample.Length - (sample.Length / 32);
        var output = ArrayPool<byte>.Shared.Rent(budget);
        try
        {
            using var encoder = ZstdEncoder.Rent(level);
            var written = 0;
            while (true)
            {
                var status = encoder.Compress(sample, output.AsSpan(written, budget - written), out var consumed, out var produced, isFinal: true);
                sample = sample[consumed..];
                written += produced;
                if (status == OperationStatus.Done)
                {
                    return true;
                }

                if (written >= budget || (consumed == 0 && produced == 0))
                {
                    return false;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(output);
        }
    }
}
