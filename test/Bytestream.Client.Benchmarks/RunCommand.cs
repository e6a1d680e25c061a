using System.Globalization;
using System.Security.Cryptography;

namespace Bytestream.Client.Benchmarks;

/// <summary>
/// Runs every scenario against each server in alternating order for several rounds and prints the
/// medians, with each library path's ratio to the raw stub measured in the same run.
/// </summary>
internal static class RunCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        int? sizeMiB = null;
        int? rounds = null;
        var suite = "throughput";
        int[] levels = [1, 3];
        var chunkKiB = ByteStreamClientOptions.DefaultChunkSize / 1024;
        string? servers = null;
        string? targetAddress = null;
        var cuts = 8;
        var sweep = false;
        var only = "both";
        long? replayBuffer = null;
        var rawRing = 1;
        var warmUps = 100;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--size": sizeMiB = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--rounds": rounds = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--chunk": chunkKiB = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--server": servers = value; break;
                case "--target": targetAddress = value.TrimEnd('/'); break;
                case "--cuts": cuts = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--client-window": Channels.ReceiveWindow = int.Parse(value, CultureInfo.InvariantCulture) * 1024; break;
                case "--suite": suite = value is "throughput" or "reapi" or "write-stream" ? value : throw new FormatException("--suite takes 'throughput', 'reapi' or 'write-stream'"); break;
                case "--replay-buffer": replayBuffer = long.Parse(value, CultureInfo.InvariantCulture) * 1024 * 1024; break;
                case "--warm-up": warmUps = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--raw-buffers": rawRing = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--only": only = value is "raw" or "stream" ? value : throw new FormatException("--only takes 'raw' or 'stream'"); break;
                case "--levels": levels = [.. value.Split(',').Select(l => int.Parse(l, CultureInfo.InvariantCulture))]; break;
                case "--sweep": sweep = value == "chunk" ? true : throw new FormatException("--sweep takes 'chunk'"); break;
                default: Console.Error.WriteLine($"run: unknown option {args[i]}"); return 2;
            }
        }

        if (args.Length % 2 != 0)
        {
            Console.Error.WriteLine("run: every option takes a value");
            return 2;
        }

        if (targetAddress is not null && (servers is not null || suite != "throughput"))
        {
            Console.Error.WriteLine("run: --target measures the throughput suite against one running server; --server and --suite reapi start their own");
            return 2;
        }

        if (suite == "write-stream")
        {
            // The write stream side by side with the raw stub (issue 21): 512 MiB from memory, 15 alternating pairs.
            await WriteStreamPairs.RunAsync((sizeMiB ?? 512) * 1024L * 1024, rounds ?? 15, chunkKiB * 1024, only, replayBuffer, rawRing, warmUps);
            return 0;
        }

        // The reapi suite runs a dozen scenarios, several of them CPU-bound: smaller defaults keep it to a few minutes.
        var reapi = suite == "reapi";
        sizeMiB ??= reapi ? 256 : 1024;
        rounds ??= reapi ? 3 : 5;
        var size = sizeMiB.Value * 1024L * 1024;
        var chunk = chunkKiB * 1024;
        var dataFile = await DataFile.GetAsync(size);
        Console.WriteLine($"# Bytestream.Client benchmark: {sizeMiB} MiB, chunk {chunkKiB} KiB, {rounds} rounds, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        var where = targetAddress is null ? "the server runs in its own process on 127.0.0.1" : $"the server at {targetAddress} was already running (not started by this run; no resume cost, which needs a server started with cuts)";
        Console.WriteLine($"# client process measured; {where}; client HTTP/2 receive window: {(Channels.ReceiveWindow is { } w ? $"{w / 1024} KiB" : "default")}");
        if (targetAddress is not null)
        {
            var label = $"server at {targetAddress}";
            if (sweep)
            {
                await ChunkSweep.RunAsync(label, targetAddress, dataFile, size, rounds.Value);
            }
            else
            {
                await MeasureThroughputAsync(label, targetAddress, dataFile, size, chunk, rounds.Value);
            }

            return 0;
        }

        if (reapi)
        {
            if (servers is not (null or "testing" or "both"))
            {
                Console.Error.WriteLine("run: --suite reapi runs against Bytestream.Testing's server only");
                return 2;
            }

            await ReapiSuite.RunAsync(dataFile, size, rounds.Value, chunk, levels);
            return 0;
        }

        var goPeer = ServerProcess.FindGoPeer();
        var targets = new List<Target>();
        servers ??= "both";
        if (servers is "testing" or "both")
        {
            targets.Add(new Target(
                ServerProcess.StartTestingAsync,
                (every, _) => ["--cut-every", every.ToString(CultureInfo.InvariantCulture)]));
        }

        if (servers is "go" or "both")
        {
            if (goPeer is null)
            {
                Console.WriteLine("# Go server: skipped (set BYTESTREAM_GO_PEER_DIR to a folder where shared/peers/go/setup.sh has run)");
            }
            else
            {
                targets.Add(new Target(
                    a => ServerProcess.StartGoAsync(goPeer, a),
                    (every, times) => ["-fail-write-after", every.ToString(CultureInfo.InvariantCulture), "-fail-write-times", times.ToString(CultureInfo.InvariantCulture)]));
            }
        }

        foreach (var target in targets)
        {
            double uploadRate;
            using (var server = await target.Start([]))
            {
                if (sweep)
                {
                    await ChunkSweep.RunAsync(server.Label, server.Address, dataFile, size, rounds.Value);
                    continue;
                }

                uploadRate = await MeasureThroughputAsync(server.Label, server.Address, dataFile, size, chunk, rounds.Value);
            }

            if (cuts > 0)
            {
                await MeasureResumeCostAsync(target, dataFile, size, chunk, cuts, uploadRate);
            }
        }

        return 0;
    }

    /// <summary>Measures every scenario; returns the median MB/s of UploadAsync(FileStream), the baseline of the resume cost.</summary>
    private static async Task<double> MeasureThroughputAsync(string label, string address, string dataFile, long size, int chunk, int rounds)
    {
        using var channel = Channels.Create(address);
        var scenarios = new Scenarios(channel, dataFile, chunk);
        await using (var file = File.OpenRead(dataFile))
        {
            await scenarios.Client.UploadAsync(Scenarios.DownloadName, file);
        }

        var names = Scenarios.All.Select(s => s.Name).ToList();
        foreach (var name in names)
        {
            await scenarios.RunAsync(name); // warm-up: JIT, connections, server memory
        }

        var results = names.ToDictionary(n => n, _ => new List<Measurement>());
        for (var round = 0; round < rounds; round++)
        {
            // Alternate the order so no scenario always runs right after the same neighbour.
            var order = round % 2 == 0 ? names : Enumerable.Reverse(names).ToList();
            order = [.. order.Skip(round % names.Count), .. order.Take(round % names.Count)];
            foreach (var name in order)
            {
                var measurement = await Measurement.RunAsync(() => scenarios.RunAsync(name));
                if (measurement.Bytes != size)
                {
                    throw new InvalidOperationException($"{name} moved {measurement.Bytes} bytes, not {size}.");
                }

                results[name].Add(measurement);
            }
        }

        Report.PrintThroughput(label, results, Scenarios.All);
        return Report.Median(results["UploadAsync(FileStream)"], m => m.MegabytesPerSecond);
    }

    private static async Task MeasureResumeCostAsync(Target target, string dataFile, long size, int chunk, int cuts, double uploadRate)
    {
        var cutEvery = size / (cuts + 1);
        using var server = await target.Start(target.FaultArgs(cutEvery, cuts));
        using var channel = Channels.Create(server.Address);
        var client = new ByteStreamClient(channel, new ByteStreamClientOptions { ChunkSize = chunk });

        // Warm the new server process and connection with an upload too small to be cut.
        await client.UploadAsync("bench/resume/warm-up", new byte[Math.Min(cutEvery / 2, 4 * 1024 * 1024)]);
        UploadResult? result = null;
        var measurement = await Measurement.RunAsync(async () =>
        {
            await using var file = File.OpenRead(dataFile);
            result = await client.UploadAsync($"bench/resume/{Guid.NewGuid()}", file);
            return result.CommittedSize;
        });
        Report.PrintResume(server.Label, size, cutEvery, result!, measurement, uploadRate);
    }

    /// <summary>A kind of server: how to start it, and the arguments that make it cut every upload call after some bytes.</summary>
    private sealed record Target(Func<string[], Task<ServerProcess>> Start, Func<long, int, string[]> FaultArgs);

    /// <summary>The random payload, written once per size and kept in the temp folder between runs.</summary>
    internal static class DataFile
    {
        public static async Task<string> GetAsync(long size)
        {
            var path = Path.Combine(Path.GetTempPath(), $"bytestream-bench-{size}.bin");
            if (File.Exists(path) && new FileInfo(path).Length == size)
            {
                return path;
            }

            var buffer = new byte[1024 * 1024];
            await using (var file = File.Create(path + ".tmp"))
            {
                for (long written = 0; written < size; written += buffer.Length)
                {
                    var count = (int)Math.Min(buffer.Length, size - written);
                    RandomNumberGenerator.Fill(buffer.AsSpan(0, count));
                    await file.WriteAsync(buffer.AsMemory(0, count));
                }
            }

            File.Move(path + ".tmp", path, overwrite: true);
            return path;
        }
    }
}
