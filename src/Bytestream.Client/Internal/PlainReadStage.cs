namespace Bytestream.Client.Internal;

/// <summary>The stage of a plain read: each message's bytes go to the caller as they are, without a copy.</summary>
internal sealed class PlainReadStage : ReadStage
{
    private ReadChunk? _chunk;
    private bool _handedOut;

    public override void StartCall(long offset, long remaining) => Return();

    public override void Feed(ReadChunk chunk)
    {
        Return();
        _chunk = chunk;
        _handedOut = false;
    }

    public override ReadOnlyMemory<byte> Decode()
    {
        if (_chunk is { } chunk && !_handedOut)
        {
            _handedOut = true;
            return chunk.Data;
        }

        // The caller is done with what was handed out: the pooled buffer goes back.
        Return();
        return ReadOnlyMemory<byte>.Empty;
    }

    public override void InputEnded()
    {
    }

    public override void EndCall()
    {
    }

    public override void Dispose() => Return();

    private void Return()
    {
        _chunk?.Return();
        _chunk = null;
    }
}
