using Grpc.Core;

namespace Bytestream.Testing.Internal;

/// <summary>
/// The server's records of calls and WriteRequests, kept in start (call id) and arrival order. A call
/// that started before the last <see cref="Clear"/> is not recorded any more, even when its end or its
/// requests reach the server later: a test's records never show the previous test's calls.
/// </summary>
internal sealed class CallLog
{
    private readonly object _gate = new();
    private readonly List<ByteStreamCallRecord> _calls = [];
    private readonly List<WriteRequestRecord> _writeRequests = [];
    private long _lastCallId;
    private long _firstRecordedCallId = 1;

    /// <summary>Numbers a call as it starts, before its record can be made (a Write's name comes with its first request).</summary>
    public long NextCallId() => Interlocked.Increment(ref _lastCallId);

    /// <summary>Whether the call started after the last <see cref="Clear"/>: calls from before it take no faults.</summary>
    public bool IsCurrent(long callId) => callId >= Volatile.Read(ref _firstRecordedCallId);

    public ByteStreamCallRecord Start(long callId, ByteStreamMethod method, string resourceName, ServerCallContext context)
    {
        var requestHeaders = context.RequestHeaders;
        // The context's metadata belongs to the call; keep a copy that outlives it.
        var headers = new Metadata();
        foreach (var entry in requestHeaders)
        {
            headers.Add(entry);
        }

        var record = new ByteStreamCallRecord(callId, method, resourceName, headers) { ConnectionId = context.GetHttpContext().Connection.Id };
        lock (_gate)
        {
            if (callId < _firstRecordedCallId)
            {
                return record;
            }

            var index = _calls.Count;
            while (index > 0 && _calls[index - 1].CallId > callId)
            {
                index--;
            }

            _calls.Insert(index, record);
        }

        return record;
    }

    public void AddWriteRequest(WriteRequestRecord record)
    {
        lock (_gate)
        {
            if (record.CallId >= _firstRecordedCallId)
            {
                _writeRequests.Add(record);
            }
        }
    }

    public ByteStreamCallRecord[] GetCalls()
    {
        lock (_gate)
        {
            return [.. _calls];
        }
    }

    public WriteRequestRecord[] GetWriteRequests()
    {
        lock (_gate)
        {
            return [.. _writeRequests];
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            Volatile.Write(ref _firstRecordedCallId, Interlocked.Read(ref _lastCallId) + 1);
            _calls.Clear();
            _writeRequests.Clear();
        }
    }
}
