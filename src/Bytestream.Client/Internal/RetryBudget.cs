namespace Bytestream.Client.Internal;

/// <summary>
/// The consecutive failures without progress of one transfer, counted across its network steps. A
/// failed Write often shows only at the next chunk, in a new step, so a count that restarted with every
/// step would never run out; the default pipeline retries while this count is within MaxRetryAttempts.
/// </summary>
internal sealed class RetryBudget
{
    public int FailuresWithoutProgress { get; private set; }

    public void Failed() => FailuresWithoutProgress++;

    public void Progressed() => FailuresWithoutProgress = 0;
}
