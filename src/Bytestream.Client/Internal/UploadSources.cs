using Bytestream.Client.Internal.Zstd;

namespace Bytestream.Client.Internal;

/// <summary>Puts the layers around the caller's bytes that the upload's options ask for: the digest check next to the data, compression outside it.</summary>
internal static class UploadSources
{
    public static UploadSource Wrap(ClientCore core, string resourceName, UploadSource plain, UploadOptions? options, bool compressed, long? total)
    {
        var source = options is { VerifyDigest: true }
            ? new VerifyingUploadSource(resourceName, plain, DigestVerifier.ForUpload(resourceName, nameof(options)))
            : plain;
        return compressed
            ? new CompressingUploadSource(resourceName, source, core.Options.CompressionLevel, core.Options.ChunkSize,
                total ?? throw new InvalidOperationException("A compressed upload's size comes from its REAPI name."), core.Options.MaxReplayBufferSize)
            : source;
    }
}
