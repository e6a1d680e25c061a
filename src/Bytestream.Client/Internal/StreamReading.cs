namespace Bytestream.Client.Internal;

/// <summary>Reads that fill a whole chunk, so WriteRequests carry full chunks even from streams that return little at a time.</summary>
internal static class StreamReading
{
    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns the bytes read.</summary>
    public static async ValueTask<int> FillAsync(Stream source, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await source.ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
