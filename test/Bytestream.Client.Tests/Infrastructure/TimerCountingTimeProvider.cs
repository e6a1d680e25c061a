using Microsoft.Extensions.Time.Testing;

namespace Bytestream.Client.Tests.Infrastructure;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that counts the timers started on it, so that a test can wait until the code
/// under test waits on the fake clock (a retry's backoff) instead of sleeping and hoping that it does: once the
/// timer exists, nothing behind it happens until the test advances the clock.
/// </summary>
internal sealed class TimerCountingTimeProvider : FakeTimeProvider
{
    private int _timers;

    /// <summary>Gets how many timers have been started on this clock.</summary>
    public int TimersCreated => Volatile.Read(ref _timers);

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref _timers);
        return timer;
    }
}
