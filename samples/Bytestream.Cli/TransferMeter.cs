using System.Globalization;

namespace Bytestream.Cli;

/// <summary>
/// What a progress display says about one transfer: how far it is, and how fast it moves bytes now. The rate
/// counts only bytes moved in this run, over the last few seconds: a resume that starts past bytes the server
/// already holds moves the position without counting them, and bytes sent again after a cut count again.
/// Thread-safe: the transfer reports while the display reads. Times are passed in, so tests need no clock.
/// </summary>
internal sealed class TransferMeter
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(3);

    private readonly Lock _lock = new();
    private readonly Queue<(TimeSpan At, long Moved)> _samples = new();
    private long _position;
    private long _moved;
    private long? _total;

    /// <param name="total">The transfer's size, when known.</param>
    /// <param name="start">When the transfer started.</param>
    public TransferMeter(long? total, TimeSpan start)
    {
        _total = total;
        _samples.Enqueue((start, 0));
    }

    /// <summary>Gets where the transfer is: the last position reported or moved to.</summary>
    public long Position
    {
        get
        {
            lock (_lock)
            {
                return _position;
            }
        }
    }

    /// <summary>Gets the size, when known (from the start or from a report).</summary>
    public long? Total
    {
        get
        {
            lock (_lock)
            {
                return _total;
            }
        }
    }

    /// <summary>The transfer goes on at <paramref name="position"/> without moving the bytes between: an upload that starts at, or resumes from, a committed offset.</summary>
    public void MoveTo(long position)
    {
        lock (_lock)
        {
            _position = position;
        }
    }

    /// <summary>The transfer reached <paramref name="position"/> at <paramref name="now"/>; the bytes since the last position were moved now.</summary>
    public void Report(long position, long? total, TimeSpan now)
    {
        lock (_lock)
        {
            _total ??= total;
            _moved += Math.Max(0, position - _position);
            _position = position;
            _samples.Enqueue((now, _moved));

            // Keep the window, and the last sample at or before its start to measure from.
            while (_samples.Count > 1 && _samples.ElementAt(1).At <= now - Window)
            {
                _samples.Dequeue();
            }
        }
    }

    /// <summary>Gets the bytes per second moved over the last few seconds before <paramref name="now"/>; zero while stalled.</summary>
    public double BytesPerSecond(TimeSpan now)
    {
        lock (_lock)
        {
            var (since, movedThen) = _samples.Peek();
            foreach (var sample in _samples)
            {
                if (sample.At <= now - Window)
                {
                    (since, movedThen) = sample;
                }
            }

            var seconds = (now - since).TotalSeconds;
            return seconds <= 0 ? 0 : (_moved - movedThen) / seconds;
        }
    }

    /// <summary>
    /// One line for people: <c>37%  23.5 MiB of 64.0 MiB  45.6 MiB/s  0:01 left</c> when the size is known,
    /// <c>23.5 MiB  45.6 MiB/s</c> when it is not (no percentage, as curl and wget do).
    /// </summary>
    public string Describe(TimeSpan now)
    {
        var rate = BytesPerSecond(now);
        var position = Position;
        if (Total is not { } total)
        {
            return $"{Units.Bytes(position)}  {Units.Rate(rate)}";
        }

        var percent = total == 0 ? 100 : (int)Math.Min(100, position * 100 / total);
        var remaining = Math.Max(0, total - position);
        var left = rate > 0 && remaining > 0 ? $"  {Eta(remaining / rate)} left" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"{percent}%  {Units.Bytes(position)} of {Units.Bytes(total)}  {Units.Rate(rate)}{left}");
    }

    private static string Eta(double seconds)
    {
        var time = TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.FromDays(1).TotalSeconds));
        return time.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)time.TotalHours}:{time:mm\\:ss}")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)time.TotalMinutes}:{time:ss}");
    }
}
