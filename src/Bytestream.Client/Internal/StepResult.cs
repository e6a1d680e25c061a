namespace Bytestream.Client.Internal;

/// <summary>
/// What one attempt of a network step produced: a value, or an interruption after the attempt
/// made progress (which must not use up the retry budget).
/// </summary>
internal readonly struct StepResult<T>
{
    private StepResult(T value, Exception? interruption)
    {
        Value = value;
        Interruption = interruption;
    }

    public T Value { get; }

    /// <summary>The failure that ended an attempt after it made progress; <see langword="null"/> when the step is done.</summary>
    public Exception? Interruption { get; }

    public static StepResult<T> Done(T value) => new(value, null);

    public static StepResult<T> Interrupted(Exception error) => new(default!, error);
}
