using System.Diagnostics.CodeAnalysis;

namespace Bytestream.Client;

/// <summary>SKELETON</summary>
public sealed record BlobResourceName(string InstanceName, string Hash, long Size)
{
    /// <summary>SKELETON</summary>
    public string? DigestFunction { get; init; }

    /// <summary>SKELETON</summary>
    public string? Compressor { get; init; }

    /// <summary>SKELETON</summary>
    public string ToReadResourceName() => throw new NotImplementedException();

    /// <summary>SKELETON</summary>
    public string ToUploadResourceName(Guid uploadId) => throw new NotImplementedException();

    /// <summary>SKELETON</summary>
    public static BlobResourceName Parse(string resourceName) => throw new NotImplementedException();

    /// <summary>SKELETON</summary>
    public static bool TryParse(string resourceName, [NotNullWhen(true)] out BlobResourceName? name) => throw new NotImplementedException();
}
