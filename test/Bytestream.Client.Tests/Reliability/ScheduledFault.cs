using Bytestream.Testing;
using Grpc.Core;

namespace Bytestream.Client.Tests.Reliability;

/// <summary>What a <see cref="ScheduledFault"/> does to the calls it hits.</summary>
internal enum FaultKind
{
    /// <summary>CutWrite / CutRead: the call moves <see cref="ScheduledFault.AfterBytes"/> bytes, then fails with the status.</summary>
    Cut,

    /// <summary>FailNext: the call fails at once with the status.</summary>
    Fail,

    /// <summary>StallNext: the call stops moving bytes after <see cref="ScheduledFault.AfterBytes"/> until the client gives up on it.</summary>
    Stall,

    /// <summary>EndWriteEarly: the Write ends at once with OK and <see cref="ScheduledFault.CommittedSize"/>.</summary>
    EndEarly,

    /// <summary>ResetWrite / ResetRead: the call moves <see cref="ScheduledFault.AfterBytes"/> bytes, then its HTTP/2 stream is reset.</summary>
    Reset,
}

/// <summary>One fault of a <see cref="FaultSchedule"/>, armed on the schedule's resource name only.</summary>
internal sealed record ScheduledFault(FaultKind Kind, ByteStreamMethod Method, StatusCode Status, long AfterBytes = 0, int Times = 1, long? CommittedSize = null)
{
    /// <summary>
    /// Gets whether the fault tells the client the server already holds the whole resource (an early OK
    /// with the full size or -1, or ALREADY_EXISTS): success, not a failure.
    /// </summary>
    public bool MeansComplete =>
        (Kind == FaultKind.EndEarly && CommittedSize is null or -1)
        || (Kind is FaultKind.Cut or FaultKind.Fail && Status == StatusCode.AlreadyExists);

    /// <summary>Gets whether a QueryWriteStatus failure with this status only means "nothing known: start at the first offset".</summary>
    public bool MeansUnknownWriteStatus =>
        Method == ByteStreamMethod.QueryWriteStatus && Status is StatusCode.NotFound or StatusCode.Unimplemented;

    /// <summary>Gets whether the fault can fail an attempt of the client (and so use up its retry budget).</summary>
    public bool CanFailAttempt => !MeansComplete && !(Kind == FaultKind.Cut && Status == StatusCode.OK);

    public void Arm(ByteStreamFaults faults, string resourceName)
    {
        switch (Kind)
        {
            case FaultKind.Cut when Method == ByteStreamMethod.Write:
                faults.CutWrite(AfterBytes, Status, Times, resourceName);
                break;
            case FaultKind.Cut:
                faults.CutRead(AfterBytes, Status, Times, resourceName);
                break;
            case FaultKind.Fail:
                faults.FailNext(Method, Status, Times, resourceName);
                break;
            case FaultKind.Stall:
                faults.StallNext(Method, AfterBytes, Times, resourceName);
                break;
            case FaultKind.EndEarly:
                faults.EndWriteEarly(Times, CommittedSize, resourceName);
                break;
            case FaultKind.Reset when Method == ByteStreamMethod.Write:
                faults.ResetWrite(AfterBytes, Times, resourceName);
                break;
            case FaultKind.Reset:
                faults.ResetRead(AfterBytes, Times, resourceName);
                break;
        }
    }

    public override string ToString()
    {
        var times = Times == 1 ? "" : $" x{Times}";
        return Kind switch
        {
            FaultKind.Cut => $"Cut{Method}(after {AfterBytes}, {Status}){times}",
            FaultKind.Fail => $"FailNext({Method}, {Status}){times}",
            FaultKind.Reset => $"Reset{Method}(after {AfterBytes}){times}",
            FaultKind.Stall => Method == ByteStreamMethod.QueryWriteStatus ? $"StallNext({Method}){times}" : $"StallNext({Method}, after {AfterBytes}){times}",
            _ => $"EndWriteEarly(committed {(CommittedSize is { } size ? size.ToString(System.Globalization.CultureInfo.InvariantCulture) : "stored size")}){times}",
        };
    }
}
