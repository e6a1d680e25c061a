using System.Buffers;
using Grpc.Core;

namespace Bytestream.Client.Internal;

/// <summary>
/// <see cref="UploadOptions.ResumeExistingUpload"/>: asks where an upload that an earlier process
/// left unfinished stands, and skips the committed prefix of the source.
/// </summary>
internal static class ExistingUpload
{
    /// <summary>The server's committed size, (0, incomplete) when it has nothing or cannot say.</summary>
    public static ValueTask<WriteStatus> QueryAsync(ClientCore core, string resourceName, Metadata? headers, long? totalLength, CancellationToken cancellationToken) =>
        ResumableStep.RunAsync(
            core,
            resourceName,
            (Core: core, Name: resourceName, Headers: headers, Total: totalLength),
            static async (s, ct) =>
            {
                WriteStatus status;
                try
                {
                    status = await WriteStatusQuery.QueryAsync(s.Core, s.Name, s.Headers, ct).ConfigureAwait(false);
                }
                catch (RpcException ex) when (ex.StatusCode is StatusCode.NotFound or StatusCode.Unimplemented)
                {
                    Log.WriteStatusUnknown(s.Core.Logger, s.Name, ex.StatusCode);
                    return StepResult<WriteStatus>.Done(new WriteStatus(0, false));
                }

                Log.WriteStatusReceived(s.Core.Logger, s.Name, status.CommittedSize, status.Complete);
                if (status.Complete && s.Total is { } total && status.CommittedSize != total && status.CommittedSize != -1)
                {
                    throw ThrowHelper.WrongFinalSize(s.Name, status.CommittedSize, total);
                }

                if (!status.Complete && (status.CommittedSize < 0 || status.CommittedSize > s.Total))
                {
                    throw ThrowHelper.CommittedBeyondSent(s.Name, status.CommittedSize, s.Total ?? 0);
                }

                return StepResult<WriteStatus>.Done(status);
            },
            cancellationToken);

    /// <summary>Moves <paramref name="source"/> past the <paramref name="count"/> bytes the server already has.</summary>
    public static async ValueTask SkipAsync(Stream source, string resourceName, long count, int chunkSize, CancellationToken cancellationToken)
    {
        if (source.CanSeek)
        {
            var available = source.Length - source.Position;
            if (available < count)
            {
                throw ThrowHelper.SourceShorterThanCommitted(resourceName, count, available);
            }

            source.Position += count;
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(chunkSize);
        try
        {
            for (long skipped = 0; skipped < count;)
            {
                var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(chunkSize, count - skipped)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw ThrowHelper.SourceShorterThanCommitted(resourceName, count, skipped);
                }

                skipped += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
