using Grpc.Core;

namespace Bytestream.Testing.Internal;

/// <summary>One armed fault: what it does, where, and how many more calls it applies to.</summary>
internal sealed class FaultRule(ByteStreamMethod method, long afterBytes, StatusCode status, int times, string? resourceName, long? committedSize = null)
{
    public ByteStreamMethod Method { get; } = method;

    public long AfterBytes { get; } = afterBytes;

    public StatusCode Status { get; } = status;

    public string? ResourceName { get; } = resourceName;

    public long? CommittedSize { get; } = committedSize;

    /// <summary>Gets how a cut ends the call.</summary>
    public CutKind Kind { get; init; }

    /// <summary>Calls left; only read and changed under the owning <see cref="ByteStreamFaults"/>'s lock.</summary>
    public int Remaining { get; set; } = times;

    public bool AppliesTo(ByteStreamMethod method, string resourceName) =>
        Method == method && (ResourceName is null || string.Equals(ResourceName, resourceName, StringComparison.Ordinal));
}
