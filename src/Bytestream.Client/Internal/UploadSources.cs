using Bytestream.Client.Internal.Zstd;

namespace Bytestream.Client.Internal;

/// <summary>
/// Puts an upload's layers around the caller's data, as its plan asks: the digest check next to the data, the zstd
/// encoder outside it, and outermost a replay buffer when the data cannot be read again.
/// </summary>
internal static class UploadSources
{
    /// <summary>The source the session sends from, and the replay buffer it keeps, if any (the session decides when it may drop bytes).</summary>
    public static (UploadSource Source, ReplayBuffer? Buffer) Build(ClientCore core, TransferPlan plan, UploadSource data)
    {
        var chunkSize = core.Options.ChunkSize;
        var source = plan.CreateVerifier(upload: true) is { } verifier
            ? new VerifyingUploadSource(plan.ResourceName, data, verifier)
            : data;
        if (plan.Compressed)
        {
            source = new CompressingUploadSource(plan.ResourceName, source, core.Options.CompressionLevel, chunkSize,
                plan.Length ?? throw new InvalidOperationException("A compressed upload's size comes from its REAPI name."));
        }

        if (source.CanRewind)
        {
            return (source, null);
        }

        var buffer = new ReplayBuffer(core.Options.MaxReplayBufferSize, chunkSize);
        return (new ReplayingUploadSource(plan.ResourceName, source, buffer, chunkSize), buffer);
    }
}
