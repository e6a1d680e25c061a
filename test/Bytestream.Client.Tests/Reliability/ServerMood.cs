using Bytestream.Testing;

namespace Bytestream.Client.Tests.Reliability;

/// <summary>
/// The server-wide fault settings a schedule runs under (they apply to every resource, so schedules
/// that share a mood run together and the moods one after the other).
/// </summary>
internal enum ServerMood
{
    /// <summary>The spec: bytes committed as received, QueryWriteStatus answers the truth.</summary>
    Normal,

    /// <summary>A failed Write keeps 100 bytes less than it received.</summary>
    CommitLagSmall,

    /// <summary>A failed Write keeps 5,000 bytes less than it received (often nothing of the call).</summary>
    CommitLagLarge,

    /// <summary>QueryWriteStatus always answers NOT_FOUND.</summary>
    QueryNotFound,

    /// <summary>QueryWriteStatus always answers UNIMPLEMENTED (Buildbarn).</summary>
    QueryUnimplemented,

    /// <summary>QueryWriteStatus answers only (0, incomplete) or (size, complete) (bazel-remote), with a lag.</summary>
    ZeroOrComplete,

    /// <summary>Nothing is committed before finish_write.</summary>
    CommitOnlyOnFinish,

    /// <summary>Two empty ReadResponses (keep-alives) before every data message, and a small commit lag.</summary>
    KeepAlives,

    /// <summary>
    /// A failed Write makes the server forget the whole upload (an in-memory server that restarted):
    /// QueryWriteStatus then answers NOT_FOUND, and every cut is a restart at 0, as often as it happens.
    /// </summary>
    ForgetsOnFailure,

    /// <summary>QueryWriteStatus always answers NOT_FOUND while the server keeps the partial upload, committed with a lag: restarts at 0 over what it holds.</summary>
    QueryNotFoundWithLag,
}

internal static class ServerMoods
{
    public static void Apply(this ServerMood mood, ByteStreamFaults faults)
    {
        faults.CommitLag = mood switch
        {
            ServerMood.CommitLagSmall or ServerMood.KeepAlives => 100,
            ServerMood.CommitLagLarge => 5_000,
            ServerMood.QueryNotFoundWithLag => 300,
            ServerMood.ZeroOrComplete => 300,
            _ => 0,
        };
        faults.QueryWriteStatusMode = mood switch
        {
            ServerMood.QueryNotFound or ServerMood.QueryNotFoundWithLag => QueryWriteStatusMode.NotFound,
            ServerMood.QueryUnimplemented => QueryWriteStatusMode.Unimplemented,
            ServerMood.ZeroOrComplete => QueryWriteStatusMode.ZeroOrComplete,
            _ => QueryWriteStatusMode.Normal,
        };
        faults.CommitOnlyOnFinish = mood == ServerMood.CommitOnlyOnFinish;
        faults.ForgetUploadOnFailure = mood == ServerMood.ForgetsOnFailure;
        faults.EmptyReadResponsesBeforeEachChunk = mood == ServerMood.KeepAlives ? 2 : 0;
    }
}
