using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using WireCounter = Bytestream.Client.Benchmarks.Channels.WireCounter;

namespace Bytestream.Client.Benchmarks;

/// <summary>
/// `--suite reapi`: REAPI blobs with and without zstd (compressible source text and random bytes, uploads at several
/// levels, downloads), and what checking a download's SHA-256 costs. Uploads go to a null-sink server, downloads
/// come from a server that keeps the blobs in memory; both are separate processes, so the client's CPU time and
/// each server's are told apart.
/// </summary>
internal static class ReapiSuite
{
    private const string Instance = "bench";
    private const string PlainName = "bench/reapi/plain-random";
    private const double GiB = 1024.0 * 1024 * 1024;

    public static async Task RunAsync(string randomFile, long size, int rounds, int chunk, IReadOnlyList<int> levels)
    {
        var sourceFile = await SourceText.GetAsync(size);
        var source = await BlobResourceName.ComputeFileAsync(Instance, sourceFile);
        var random = await BlobResourceName.ComputeFileAsync(Instance, randomFile);
        Console.WriteLine($"# reapi suite: SHA-256 on one core, in memory: {HashRate(randomFile):0} MB/s");

        using var sink = await ServerProcess.StartTestingAsync();
        using var store = await ServerProcess.StartStoringAsync();
        var sinkWire = new WireCounter();
        var storeWire = new WireCounter();
        using var sinkChannel = Channels.CreateCounting(sink.Address, sinkWire);
        using var storeChannel = Channels.CreateCounting(store.Address, storeWire);
        var reader = new ByteStreamClient(storeChannel, new ByteStreamClientOptions { ChunkSize = chunk });

        // The download server holds each blob under its read name, and the random bytes under a plain name too.
        await UploadAsync(reader, source, sourceFile);
        await UploadAsync(reader, random, randomFile);
        await using (var file = OpenFile(randomFile))
        {
            await reader.UploadAsync(PlainName, file);
        }

        var uploaders = levels.Append(ByteStreamClientOptions.DefaultCompressionLevel).Distinct().ToDictionary(
            l => l, l => new ByteStreamClient(sinkChannel, new ByteStreamClientOptions { ChunkSize = chunk, CompressionLevel = l }));
        var plainUploader = uploaders[ByteStreamClientOptions.DefaultCompressionLevel];
        var sourceZstd = source with { Compressor = "zstd" };
        var randomZstd = random with { Compressor = "zstd" };
        var noVerify = new DownloadOptions { VerifyDigest = false };

        var scenarios = new List<Scenario>
        {
            new("upload source text, uncompressed", Group.UploadSource, sink, () => UploadAsync(plainUploader, source, sourceFile)),
        };
        scenarios.AddRange(levels.Select(l => new Scenario($"upload source text, zstd level {l}", Group.UploadSource, sink, () => UploadAsync(uploaders[l], sourceZstd, sourceFile))));
        scenarios.AddRange(
        [
            new("upload random, uncompressed", Group.UploadRandom, sink, () => UploadAsync(plainUploader, random, randomFile)),
            new($"upload random, zstd level {ByteStreamClientOptions.DefaultCompressionLevel}", Group.UploadRandom, sink, () => UploadAsync(plainUploader, randomZstd, randomFile)),
            new("download source text, uncompressed", Group.DownloadSource, store, () => reader.DownloadAsync(source.ToReadResourceName(), Stream.Null)),
            new("download source text, zstd", Group.DownloadSource, store, () => reader.DownloadAsync(sourceZstd.ToReadResourceName(), Stream.Null), Compressed: true),
            new("download random, uncompressed", Group.DownloadRandom, store, () => reader.DownloadAsync(random.ToReadResourceName(), Stream.Null)),
            new("download random, zstd", Group.DownloadRandom, store, () => reader.DownloadAsync(randomZstd.ToReadResourceName(), Stream.Null), Compressed: true),
            new("download random, VerifyDigest off", Group.Verify, store, () => reader.DownloadAsync(random.ToReadResourceName(), Stream.Null, noVerify)),
            new("download random, plain name (nothing to verify)", Group.Verify, store, () => reader.DownloadAsync(PlainName, Stream.Null)),
        ]);

        // Warm-up (JIT, connections, server memory), which also finds out whether the server serves compressed reads.
        foreach (var scenario in scenarios.ToList())
        {
            try
            {
                await scenario.Run();
            }
            catch (Exception ex) when (scenario.Compressed)
            {
                Console.WriteLine($"# {scenario.Name}: skipped, the server does not serve it ({ex.GetType().Name}: {FirstLine(ex.Message)})");
                scenarios.Remove(scenario);
            }
        }

        var results = scenarios.ToDictionary(s => s.Name, _ => new List<Run>());
        for (var round = 0; round < rounds; round++)
        {
            // Alternate the order, as the throughput suite does, so no scenario always follows the same neighbour.
            var order = round % 2 == 0 ? scenarios : Enumerable.Reverse(scenarios).ToList();
            order = [.. order.Skip(round % order.Count), .. order.Take(round % order.Count)];
            foreach (var scenario in order)
            {
                var wire = scenario.Server == sink ? sinkWire : storeWire;
                var upload = scenario.Group is Group.UploadSource or Group.UploadRandom;
                var wireBefore = upload ? wire.Sent : wire.Received;
                var serverBefore = scenario.Server.CpuTime;
                var measurement = await Measurement.RunAsync(scenario.Run);
                var serverCpu = (scenario.Server.CpuTime - serverBefore).TotalSeconds;
                var wireBytes = (upload ? wire.Sent : wire.Received) - wireBefore;
                if (measurement.Bytes != size)
                {
                    throw new InvalidOperationException($"{scenario.Name} moved {measurement.Bytes} bytes, not {size}.");
                }

                results[scenario.Name].Add(new Run(measurement, serverCpu, wireBytes));
            }
        }

        Print(size, rounds, scenarios, results);
    }

    private static void Print(long size, int rounds, List<Scenario> scenarios, Dictionary<string, List<Run>> results)
    {
        Console.WriteLine();
        Console.WriteLine($"## REAPI blobs with zstd, {size / (1024 * 1024)} MiB of payload: medians of {rounds} rounds");
        Console.WriteLine();
        Console.WriteLine("MB/s and CPU per GiB count the uncompressed payload; wire is what the client's sockets carried in the payload's direction.");
        Console.WriteLine();
        Console.WriteLine("| transfer | MB/s | time vs uncompressed | wire | payload / wire | client CPU s/GiB | server CPU s/GiB |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var group in new[] { Group.UploadSource, Group.UploadRandom, Group.DownloadSource, Group.DownloadRandom })
        {
            var rows = scenarios.Where(s => s.Group == group).ToList();
            var baseline = Seconds(results[rows[0].Name]);
            foreach (var row in rows)
            {
                var runs = results[row.Name];
                var wire = Median(runs, r => r.WireBytes);
                Console.WriteLine($"| {row.Name} | {Median(runs, r => r.Measurement.MegabytesPerSecond):0} | {Seconds(runs) / baseline:0.00} | " +
                    $"{wire / (1024 * 1024):0.0} MiB | {size / wire:0.00} | {Median(runs, r => r.Measurement.CpuSecondsPerGiB):0.00} | " +
                    $"{Median(runs, r => r.ServerCpu / (size / GiB)):0.00} |");
            }
        }

        Console.WriteLine();
        Console.WriteLine("## What checking a download's SHA-256 costs (random data, uncompressed)");
        Console.WriteLine();
        Console.WriteLine("| download | MB/s | time vs VerifyDigest off | client CPU s/GiB | server CPU s/GiB |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        var off = Seconds(results["download random, VerifyDigest off"]);
        foreach (var name in new[] { "download random, plain name (nothing to verify)", "download random, VerifyDigest off", "download random, uncompressed" })
        {
            var runs = results[name];
            var label = name == "download random, uncompressed" ? "download random, VerifyDigest on (the default)" : name;
            Console.WriteLine($"| {label} | {Median(runs, r => r.Measurement.MegabytesPerSecond):0} | {Seconds(runs) / off:0.00} | " +
                $"{Median(runs, r => r.Measurement.CpuSecondsPerGiB):0.00} | {Median(runs, r => r.ServerCpu / (size / GiB)):0.00} |");
        }

        Console.WriteLine();
    }

    /// <summary>What the hash alone costs, without I/O: the bound on what verifying a download can cost.</summary>
    private static double HashRate(string path)
    {
        var data = new byte[Math.Min(new FileInfo(path).Length, 64 * 1024 * 1024)];
        using (var file = File.OpenRead(path))
        {
            file.ReadExactly(data);
        }

        SHA256.HashData(data);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 4; i++)
        {
            SHA256.HashData(data);
        }

        return 4 * data.Length / watch.Elapsed.TotalSeconds / 1e6;
    }

    /// <summary>Uploads a file under a fresh REAPI upload name of <paramref name="blob"/> (compressed when it names a compressor).</summary>
    private static async Task<long> UploadAsync(ByteStreamClient client, BlobResourceName blob, string path)
    {
        await using var file = OpenFile(path);
        var result = await client.UploadAsync(blob.ToUploadResourceName(Guid.NewGuid()), file);
        if (result.CommittedSize != blob.Size || (blob.Compressor is not null) != (result.CompressedSize is not null))
        {
            throw new InvalidOperationException($"uploaded {blob}: committed {result.CommittedSize}, compressed size {result.CompressedSize?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
        }

        return result.CommittedSize;
    }

    private static FileStream OpenFile(string path) => new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);

    private static double Seconds(List<Run> runs) => Median(runs, r => r.Measurement.Seconds);

    private static double Median(List<Run> runs, Func<Run, double> value)
    {
        var sorted = runs.Select(value).Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    private enum Group
    {
        UploadSource,
        UploadRandom,
        DownloadSource,
        DownloadRandom,
        Verify,
    }

    private sealed record Scenario(string Name, Group Group, ServerProcess Server, Func<Task<long>> Run, bool Compressed = false);

    private sealed record Run(Measurement Measurement, double ServerCpu, long WireBytes);
}
