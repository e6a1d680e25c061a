using System.Diagnostics;
using Bytestream.Client;

namespace Bytestream.Cli;

/// <summary>
/// A download into FILE for <c>download</c> and <c>get</c>: into a file beside it first (<see cref="PartialFile"/>), moved
/// in only when the client accepted every byte, so a failed, cut or refused (corrupt) download never leaves a FILE.
/// </summary>
internal static class FileDownload
{
    /// <summary>
    /// Downloads <paramref name="name"/> into <paramref name="target"/> with the progress display; returns the bytes, the
    /// seconds taken, and the data bytes that came over the wire (fewer when the read went zstd).
    /// </summary>
    public static async Task<(long Bytes, double Seconds, long WireBytes)> RunAsync(
        Output output, RemoteClient remote, string label, long? total, string name, FileInfo target,
        Func<IProgress<TransferProgress>?, DownloadOptions> options, CancellationToken cancellationToken)
    {
        using var wire = new ReceivedBytes();
        var watch = Stopwatch.StartNew();
        long bytes;
        await using (var partial = new PartialFile(target.FullName))
        {
            bytes = await TransferDisplay.RunAsync(output, remote.Events, label, total, progress =>
                remote.Client.DownloadAsync(name, partial.Stream, options(progress), cancellationToken));
            await partial.CommitAsync();
        }

        return (bytes, watch.Elapsed.TotalSeconds, wire.Total);
    }
}
