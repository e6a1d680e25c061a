using Grpc.Core;

namespace Bytestream.Testing.Internal;

/// <summary>The server's records of calls and WriteRequests, kept in start (call id) and arrival order.</summary>
internal sealed class CallLog
{
    private readonly object _gate = new();
    private readonly List<ByteStreamCallRecord> _calls = [];
    private readonly List<WriteRequestRecord> _writeRequests = [];
    private long _lastCallId;

    /// <summary>Numbers a call as it starts, before its record can be made (a Write's name comes with its first request).</summary>
    public long NextCallId() => Interlocked.Increment(ref _lastCallId);

    public ByteStreamCallRecord Start(long callId, ByteStreamMethod method, string resourceName, Metadata requestHeaders)
    {
        // The context's metadata belongs to the call; keep a copy that outlives it.
        var headers = new Metadata();
        foreach (var entry in requestHeaders)
        {
            headers.Add(entry);
        }

        var record = new ByteStreamCallRecord(callId, method, resourceName, headers);
        lock (_gate)
        {
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
            _writeRequests.Add(record);
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
            _calls.Clear();
            _writeRequests.Clear();
        }
    }
}
