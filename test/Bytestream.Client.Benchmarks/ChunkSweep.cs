
namespace Bytestream.Client.Benchmarks;

/// <summary>`--sweep chunk`: UploadAsync(FileStream) at several chunk sizes, alternating in one run, to choose the default.</summary>
internal static class ChunkSweep
{
    private static readonly int[] ChunkKiB = [16, 64, 256, 1024, 2048, 3968];

    public static async Task RunAsync(string label, string address, string dataFile, long size, int rounds)
    {
        using var channel = Channels.Create(address);
        var clients = ChunkKiB.ToDictionary(k => k, k => new ByteStreamClient(channel, new ByteStreamClientOptions { ChunkSize = Math.Min(k * 1024, ByteStreamClientOptions.MaxChunkSize) }));
        var results = ChunkKiB.ToDictionary(k => k, _ => new List<Measurement>());
        foreach (var chunk in ChunkKiB)
        {
            await UploadAsync(clients[chunk], dataFile); // warm-up
        }

        for (var round = 0; round < rounds; round++)
        {
            var order = round % 2 == 0 ? ChunkKiB : ChunkKiB.Reverse().ToArray();
            foreach (var chunk in order)
            {
                results[chunk].Add(await Measurement.RunAsync(() => UploadAsync(clients[chunk], dataFile)));
            }
        }

        Console.WriteLine();
        Console.WriteLine($"## {label}: UploadAsync(FileStream) of {size / (1024 * 1024)} MiB by chunk size, medians of {rounds} rounds");
        Console.WriteLine();
        Console.WriteLine("| chunk | MB/s | client CPU s/GiB | allocated/GiB |");
        Console.WriteLine("| ---: | ---: | ---: | ---: |");
        foreach (var chunk in ChunkKiB)
        {
            var runs = results[chunk];
            Console.WriteLine($"| {chunk} KiB | {Report.Median(runs, m => m.MegabytesPerSecond):0} | {Report.Median(runs, m => m.CpuSecondsPerGiB):0.00} | {Report.Median(runs, m => m.AllocatedPerGiB) / (1024 * 1024):0.0} MiB |");
        }

        Console.WriteLine();
    }

    private static async Task<long> UploadAsync(ByteStreamClient client, string dataFile)
    {
        await using var file = File.OpenRead(dataFile);
        return (await client.UploadAsync("bench/sweep", file)).CommittedSize;
    }
}
