using System.Globalization;

namespace Bytestream.Cli;

/// <summary>
/// The one way the tool writes sizes and rates for people: binary units (KiB, MiB, GiB, MiB/s), the same
/// the size options take (<c>--size 64</c> is 64 MiB, <c>--chunk-size 1M</c> is 1 MiB).
/// </summary>
internal static class Units
{
    private const double KiB = 1024;
    private const double MiB = 1024 * 1024;
    private const double GiB = 1024 * 1024 * 1024;

    /// <summary>A size such as <c>512 B</c>, <c>3.5 KiB</c>, <c>23.4 MiB</c> or <c>1.25 GiB</c>.</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / KiB:0.0} KiB"),
        < 1024 * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / MiB:0.0} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / GiB:0.00} GiB"),
    };

    /// <summary>A rate such as <c>45.6 MiB/s</c>.</summary>
    public static string Rate(double bytesPerSecond) => string.Create(CultureInfo.InvariantCulture, $"{bytesPerSecond / MiB:0.0} MiB/s");

    /// <summary>A compression ratio, uncompressed to compressed: <c>ratio 4.1:1</c>.</summary>
    public static string Ratio(long uncompressed, long compressed) =>
        string.Create(CultureInfo.InvariantCulture, $"ratio {uncompressed / (double)Math.Max(compressed, 1):0.0}:1");

    /// <summary>How an upload's bytes went, for its summary: <c> (zstd, ratio 4.1:1)</c>, or nothing when they were not compressed.</summary>
    public static string Compression(long size, long? compressedSize) =>
        compressedSize is { } compressed ? $" (zstd, {Ratio(size, compressed)})" : string.Empty;

    /// <summary>The same for a download: the data bytes received differ from those delivered only when they came as zstd.</summary>
    public static string ReceivedCompression(long size, long wireBytes) => Compression(size, wireBytes != size ? wireBytes : null);

    /// <summary>How long a transfer took and how fast it went: <c>1.37 s (46.7 MiB/s)</c>.</summary>
    public static string Duration(long bytes, double seconds) =>
        string.Create(CultureInfo.InvariantCulture, $"{seconds:0.00} s ({Rate(bytes / Math.Max(seconds, 1e-6))})");
}
