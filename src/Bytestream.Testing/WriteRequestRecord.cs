namespace Bytestream.Testing;

/// <summary>One <c>WriteRequest</c> as <see cref="ByteStreamTestServer"/> received it (see <see cref="ByteStreamTestServer.WriteRequests"/>).</summary>
/// <param name="CallId">The <see cref="ByteStreamCallRecord.CallId"/> of the Write call that carried the request.</param>
/// <param name="ResourceName">The request's own <c>resource_name</c> field as received: empty when the client omitted it.</param>
/// <param name="WriteOffset">The request's <c>write_offset</c>.</param>
/// <param name="DataLength">The number of data bytes in the request.</param>
/// <param name="FinishWrite">The request's <c>finish_write</c> flag.</param>
public sealed record WriteRequestRecord(long CallId, string ResourceName, long WriteOffset, int DataLength, bool FinishWrite);
