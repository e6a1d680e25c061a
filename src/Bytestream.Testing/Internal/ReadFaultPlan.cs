using Grpc.Core;

namespace Bytestream.Testing.Internal;

/// <summary>
/// The faults one Read call works with, taken when it starts sending: marks are data bytes of the call
/// (null when there is none).
/// </summary>
internal readonly record struct ReadFaultPlan(
    long? CutAfter,
    StatusCode CutStatus,
    long? StallAfter,
    int EmptyResponsesBeforeEachChunk,
    bool IgnoreOffset,
    bool IgnoreLimit,
    CutKind CutKind = CutKind.Status,
    bool RepeatData = false);
