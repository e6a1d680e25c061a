namespace Bytestream.Client.Internal;

/// <summary>
/// What one attempt of a network step produced: a value, or an interruption after the attempt
/// made progress (which must not use up the retry budget).
/// </summary>
internal readonly struct StepResult<T>
{
    private StepResult(T value, bool interrupted, Exception? cause)
    {
        Value = value;
        IsInterrupted = interrupted;
        Cause = cause;
    }

    public T Value { get; }

    /// <summary>Gets whether the attempt ended after progress, so that the step goes on with a fresh budget.</summary>
    public bool IsInterrupted { get; }

    /// <summary>Gets the failure that ended an interrupted attempt; <see langword="null"/> when the server ended the call without one.</summary>
    public Exception? Cause { get; }

    public static StepResult<T> Done(T value) => new(value, false, null);

    public static StepResult<T> Interrupted(Exception? cause) => new(default!, true, cause);
}
