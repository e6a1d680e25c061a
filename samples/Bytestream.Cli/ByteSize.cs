using System.Globalization;

namespace Bytestream.Cli;

/// <summary>Sizes on the command line: a byte count with an optional binary suffix (<c>65536</c>, <c>64K</c>, <c>64KiB</c>, <c>1M</c>).</summary>
internal static class ByteSize
{
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        var span = text.AsSpan().Trim();
        var suffixStart = span.IndexOfAnyExceptInRange('0', '9');
        var digits = suffixStart < 0 ? span : span[..suffixStart];
        var suffix = suffixStart < 0 ? ReadOnlySpan<char>.Empty : span[suffixStart..];
        long multiplier = suffix.ToString().ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KB" or "KIB" => 1L << 10,
            "M" or "MB" or "MIB" => 1L << 20,
            "G" or "GB" or "GIB" => 1L << 30,
            _ => 0,
        };
        if (multiplier == 0 || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > long.MaxValue / multiplier)
        {
            return false;
        }

        bytes = value * multiplier;
        return true;
    }
}
