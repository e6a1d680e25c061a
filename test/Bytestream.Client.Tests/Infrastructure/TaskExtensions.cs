namespace Bytestream.Client.Tests;

/// <summary>
/// Bounds every await in the tests: a hung transfer fails its test after <see cref="DefaultTimeoutSpan"/>
/// instead of hanging the whole run.
/// </summary>
public static class TaskExtensions
{
    /// <summary>How long a test waits for one operation before it fails.</summary>
    public static readonly TimeSpan DefaultTimeoutSpan = TimeSpan.FromSeconds(30);

    public static Task DefaultTimeout(this Task task) => task.WaitAsync(DefaultTimeoutSpan);

    public static Task<T> DefaultTimeout<T>(this Task<T> task) => task.WaitAsync(DefaultTimeoutSpan);

    public static Task DefaultTimeout(this ValueTask task) => task.AsTask().WaitAsync(DefaultTimeoutSpan);

    public static Task<T> DefaultTimeout<T>(this ValueTask<T> task) => task.AsTask().WaitAsync(DefaultTimeoutSpan);
}
