namespace Bytestream.Client.Benchmarks;

/// <summary>Prints medians as Markdown tables, each library path with its ratio to the raw stub of the same run.</summary>
internal static class Report
{
    private const double MiB = 1024.0 * 1024;

    public static void PrintThroughput(string server, Dictionary<string, List<Measurement>> results, IReadOnlyList<(string Name, bool Upload, bool Raw)> scenarios)
    {
        Console.WriteLine();
        Console.WriteLine($"## {server}: medians of {results.Values.First().Count} rounds");
        Console.WriteLine();
        Console.WriteLine("| scenario | MB/s | ratio to raw stub | client CPU s/GiB | allocated/GiB | peak working set growth |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var upload in new[] { true, false })
        {
            var raw = scenarios.First(s => s.Upload == upload && s.Raw).Name;
            var rawRate = Median(results[raw], m => m.MegabytesPerSecond);
            foreach (var (name, _, _) in scenarios.Where(s => s.Upload == upload))
            {
                var runs = results[name];
                var rate = Median(runs, m => m.MegabytesPerSecond);
                Console.WriteLine(
                    $"| {name} | {rate:0} | {rate / rawRate:0.00} | {Median(runs, m => m.CpuSecondsPerGiB):0.00} | " +
                    $"{Bytes(Median(runs, m => m.AllocatedPerGiB))} | {Bytes(Median(runs, m => m.PeakWorkingSetGrowth))} |");
            }
        }

        Console.WriteLine();
    }

    public static void PrintResume(string server, long size, long cutEvery, UploadResult result, Measurement measurement, double uploadRate)
    {
        var resent = result.BytesSent - size;
        var extraSeconds = measurement.Seconds - (size / (uploadRate * 1e6));
        Console.WriteLine($"## {server}: resume cost, one {size / MiB:0} MiB UploadAsync(FileStream) cut every {cutEvery / MiB:0.#} MiB");
        Console.WriteLine();
        var perCut = Math.Max(1, result.Resumes);
        Console.WriteLine($"{result.Resumes} resumes; re-sent {Bytes(resent)} in all, {Bytes(resent / perCut)} per cut; " +
            $"{measurement.MegabytesPerSecond:0} MB/s overall with the cuts, {extraSeconds * 1000 / perCut:0} ms per cut more than the uncut median; " +
            $"peak working set growth {Bytes(measurement.PeakWorkingSetGrowth)}");
        Console.WriteLine();
    }

    public static double Median(List<Measurement> runs, Func<Measurement, double> value)
    {
        var sorted = runs.Select(value).Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Bytes(double bytes) => bytes switch
    {
        >= 1024 * MiB => $"{bytes / (1024 * MiB):0.00} GiB",
        >= MiB => $"{bytes / MiB:0.0} MiB",
        >= 1024 => $"{bytes / 1024:0} KiB",
        _ => $"{bytes:0} B",
    };
}
