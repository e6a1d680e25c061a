using System.Buffers;
using System.Globalization;

namespace Bytestream.Cli;

/// <summary>Durations on the command line: a number with a unit (<c>500ms</c>, <c>30s</c>, <c>2m</c>, <c>1h</c>); a bare number is seconds.</summary>
internal static class Duration
{
    private static readonly SearchValues<char> NumberChars = SearchValues.Create("0123456789.");

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        var span = text.AsSpan().Trim();
        var unitStart = span.IndexOfAnyExcept(NumberChars);
        var number = unitStart < 0 ? span : span[..unitStart];
        var unit = unitStart < 0 ? ReadOnlySpan<char>.Empty : span[unitStart..];
        double seconds = unit.ToString().ToUpperInvariant() switch
        {
            "" or "S" => 1,
            "MS" => 0.001,
            "M" or "MIN" => 60,
            "H" => 3600,
            _ => 0,
        };
        if (seconds == 0 || !double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            || value * seconds > TimeSpan.FromDays(1).TotalSeconds)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(value * seconds);
        return true;
    }

    /// <summary>A duration as the options take it: <c>30s</c>, <c>1.5s</c>, <c>500ms</c>.</summary>
    public static string Format(TimeSpan duration) => duration < TimeSpan.FromSeconds(1)
        ? string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0}ms")
        : string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.###}s");
}
