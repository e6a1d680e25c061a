namespace Bytestream.Cli.Tests;

/// <summary>Bounds every await in the tests, so a hung process fails its test instead of the run.</summary>
public static class TaskExtensions
{
    public static readonly TimeSpan DefaultTimeoutSpan = TimeSpan.FromSeconds(30);

    public static Task DefaultTimeout(this Task task) => task.WaitAsync(DefaultTimeoutSpan);

    public static Task<T> DefaultTimeout<T>(this Task<T> task) => task.WaitAsync(DefaultTimeoutSpan);
}
