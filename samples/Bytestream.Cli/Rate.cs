using System.Globalization;

namespace Bytestream.Cli;

/// <summary>How long a transfer took and how fast it went, for people.</summary>
internal static class Rate
{
    public static string Describe(long bytes, double seconds) =>
        string.Create(CultureInfo.InvariantCulture, $"{seconds:0.00} s ({bytes / Math.Max(seconds, 1e-6) / 1e6:0.0} MB/s)");
}
