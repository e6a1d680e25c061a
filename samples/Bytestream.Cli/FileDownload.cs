using System.Diagnostics;
using Bytestream.Client;

namespace Bytestream.Cli;

/// <summary>
/// A download into FILE for <c>download</c> and <c>get</c>, written as <see cref="DownloadDestination"/> decides: a
/// regular file (or the one a link names) through a file beside it (<see cref="PartialFile"/>), moved in only when the
/// client accepted every byte, so a failed, cut or refused (corrupt) download never leaves a FILE; a device or a FIFO
/// in place, in order.
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
        var destination = DownloadDestination.Resolve(target.FullName);
        using var wire = new ReceivedBytes();
        var watch = Stopwatch.StartNew();
        long bytes;
        if (destination.InPlace)
        {
            // A FIFO's open waits for its reader: wait cancellably (the blocked open ends with the process).
            await using var stream = await Task.Run(() => OpenInPlace(destination.Path), cancellationToken).WaitAsync(cancellationToken);
            try
            {
                bytes = await Download(stream);
            }
            catch (ByteStreamException exception) when (ErrorReport.IsDigestMismatch(exception))
            {
                throw ErrorReport.WrittenBeforeMismatch(exception, target.Name);
            }
        }
        else
        {
            await using var partial = new PartialFile(destination.Path);
            bytes = await Download(partial.Stream);
            await partial.CommitAsync();
        }

        return (bytes, watch.Elapsed.TotalSeconds, wire.Total);

        Task<long> Download(Stream stream) => TransferDisplay.RunAsync(output, remote.Events, label, total, progress =>
            remote.Client.DownloadAsync(name, stream, options(progress), cancellationToken));
    }

    /// <summary>Opens a device or a FIFO for writing as it is: no truncation, no seeking.</summary>
    private static FileStream OpenInPlace(string path) =>
        new(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0, useAsync: false);
}
