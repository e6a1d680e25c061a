using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using Bytestream.Client.Internal;
using Google.ByteStream;
using Google.Protobuf;
using RawClient = Google.ByteStream.ByteStream.ByteStreamClient;

namespace Bytestream.Client.Benchmarks;

/// <summary>
/// The write stream side by side with the raw stub (issue 21): the same bytes in memory, read by both a
/// 1 MiB chunk at a time (one copy per byte each), the library through <c>OpenWrite</c> +
/// <c>CopyToAsync(remote, 1 MiB)</c> + <c>CompleteAsync</c>, the raw stub through its own Write loop,
/// server in another process, in alternating pairs. Prints each pair's ratio and the medians, with
/// client CPU and allocations per GiB and the thread-pool work items, lock contentions and GCs per chunk.
/// </summary>
internal static class WriteStreamPairs
{
    public const int CopyBuffer = 1024 * 1024;
    private const string Name = "bench/write-stream";
    private const double GiB = 1024.0 * 1024 * 1024;

    public static async Task RunAsync(long size, int pairs, int chunk, string which, long? replayBuffer, int rawRing, int warmUps)
    {
        var data = new byte[size];
        RandomNumberGenerator.Fill(data);
        using var server = await ServerProcess.StartTestingAsync();
        using var channel = Channels.Create(server.Address);
        var raw = new RawClient(channel);
        var options = new ByteStreamClientOptions { ChunkSize = chunk };
        if (replayBuffer is { } bytes)
        {
            options.MaxReplayBufferSize = bytes;
        }

        var client = new ByteStreamClient(channel, options);
        Func<Task<long>> rawRun = () => RawAsync(raw, data, chunk, rawRing);
        Func<Task<long>> streamRun = () => WriteStreamAsync(client, data);
        Console.WriteLine($"# write stream vs raw stub: {size / (1024 * 1024)} MiB from memory, CopyToAsync buffer {CopyBuffer / 1024} KiB, chunk {chunk / 1024} KiB, replay buffer {options.MaxReplayBufferSize / (1024 * 1024)} MiB, raw stub buffers {rawRing}, {pairs} alternating pairs, server: {server.Label}, pid {Environment.ProcessId}");

        // Warm-up: connection and server memory (full size), then enough small uploads that the code run once per upload
        // is tiered up too (30 calls to leave tier 0, more through the PGO tier): with 3 warm-up pairs only, the write
        // stream still compiled about 14 methods (21 ms of JIT) per measured 256 MiB run, the raw stub 4 (3.5 ms).
        for (var i = 0; i < 3; i++)
        {
            await rawRun();
            await streamRun();
        }

        var small = data.AsMemory(0, (int)Math.Min(data.Length, 4 * chunk)).ToArray();
        for (var i = 0; i < warmUps; i++)
        {
            await RawAsync(raw, small, chunk, 1);
            await WriteStreamAsync(client, small);
        }

        if (which != "both")
        {
            // One side only, for a profiler attached to this process: run it until the pairs are done.
            var only = which == "raw" ? rawRun : streamRun;
            Console.WriteLine($"# running {which} only, {pairs} times");
            var runs = new List<Sample>();
            for (var i = 0; i < pairs; i++)
            {
                runs.Add(await Sample.RunAsync(which, only));
            }

            Print(which, runs, chunk);
            return;
        }

        var rawRuns = new List<Sample>();
        var streamRuns = new List<Sample>();
        Console.WriteLine("| pair | raw MB/s | write stream MB/s | ratio | raw CPU s/GiB | write stream CPU s/GiB |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: |");
        for (var pair = 0; pair < pairs; pair++)
        {
            Sample r, s;
            if (pair % 2 == 0)
            {
                r = await Sample.RunAsync("raw", rawRun);
                s = await Sample.RunAsync("stream", streamRun);
            }
            else
            {
                s = await Sample.RunAsync("stream", streamRun);
                r = await Sample.RunAsync("raw", rawRun);
            }

            rawRuns.Add(r);
            streamRuns.Add(s);
            Console.WriteLine($"| {pair + 1} | {r.MegabytesPerSecond:0} | {s.MegabytesPerSecond:0} | {s.MegabytesPerSecond / r.MegabytesPerSecond:0.000} | {r.CpuPerGiB:0.000} | {s.CpuPerGiB:0.000} |");
        }

        Console.WriteLine();
        Print("raw stub", rawRuns, chunk);
        Print("write stream", streamRuns, chunk);
        var ratios = rawRuns.Zip(streamRuns, (r, s) => s.MegabytesPerSecond / r.MegabytesPerSecond).Order().ToArray();
        Console.WriteLine($"ratio (write stream / raw stub MB/s): median of pairs {Median(ratios):0.000}, ratio of medians {Median(streamRuns, x => x.MegabytesPerSecond) / Median(rawRuns, x => x.MegabytesPerSecond):0.000}; " +
            $"CPU s/GiB ratio {Median(streamRuns, x => x.CpuPerGiB) / Median(rawRuns, x => x.CpuPerGiB):0.000}");
    }

    /// <summary>
    /// The raw stub: the memory read a chunk at a time into one pooled buffer (one copy per byte), UnsafeWrap,
    /// resource_name on every request. With <paramref name="ring"/> above 1 it reads into that many buffers in
    /// turn, as the write stream's replay buffer cycles through its segments: what that memory footprint costs.
    /// </summary>
    private static async Task<long> RawAsync(RawClient raw, byte[] data, int chunk, int ring)
    {
        using var source = new MemorySource(data);
        using var call = raw.Write();
        var buffers = Enumerable.Range(0, ring).Select(_ => ArrayPool<byte>.Shared.Rent(chunk)).ToArray();
        long offset = 0;
        try
        {
            int read;
            for (var next = 0; (read = await StreamReading.FillAsync(source, buffers[next].AsMemory(0, chunk), CancellationToken.None)) > 0; next = (next + 1) % ring)
            {
                var buffer = buffers[next];
                await call.RequestStream.WriteAsync(new WriteRequest
                {
                    ResourceName = Name,
                    WriteOffset = offset,
                    Data = UnsafeByteOperations.UnsafeWrap(buffer.AsMemory(0, read)),
                });
                offset += read;
            }
        }
        finally
        {
            foreach (var buffer in buffers)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        await call.RequestStream.WriteAsync(new WriteRequest { ResourceName = Name, WriteOffset = offset, FinishWrite = true });
        await call.RequestStream.CompleteAsync();
        var response = await call;
        return response.CommittedSize == offset ? offset : throw new InvalidOperationException($"committed {response.CommittedSize} of {offset}");
    }

    /// <summary>
    /// The write stream: <c>CopyToAsync(remote, 1 MiB)</c> from a stream over the same memory. Not a
    /// <see cref="MemoryStream"/>, whose CopyToAsync ignores the buffer size and writes everything at once:
    /// this source hands out 1 MiB reads, as a file or a network stream would.
    /// </summary>
    private static async Task<long> WriteStreamAsync(ByteStreamClient client, byte[] data)
    {
        using var source = new MemorySource(data);
        await using var remote = client.OpenWrite(Name);
        await source.CopyToAsync(remote, CopyBuffer);
        return (await remote.CompleteAsync()).CommittedSize;
    }

    private static void Print(string label, List<Sample> runs, int chunk)
    {
        var chunks = runs[0].Bytes / (double)chunk;
        Console.WriteLine($"{label}: median {Median(runs, x => x.MegabytesPerSecond):0} MB/s, client CPU {Median(runs, x => x.CpuPerGiB):0.000} s/GiB, " +
            $"allocated {Median(runs, x => x.AllocatedBytes / (x.Bytes / GiB)) / (1024 * 1024):0.0} MiB/GiB ({Median(runs, x => x.AllocatedBytes) / chunks:0} B/chunk), " +
            $"thread-pool work items {Median(runs, x => x.WorkItems) / chunks:0.00}/chunk, lock contentions {Median(runs, x => x.Contentions) / chunks:0.00}/chunk, " +
            $"gen0 GCs {Median(runs, x => x.Gen0):0}, gen2 GCs {Median(runs, x => x.Gen2):0}, " +
            $"JIT per run {Median(runs, x => x.JitMilliseconds):0.0} ms ({Median(runs, x => x.JitMethods):0} methods; first measured run {runs[0].JitMilliseconds:0.0} ms, last {runs[^1].JitMilliseconds:0.0} ms)");
    }

    private static double Median(List<Sample> runs, Func<Sample, double> value) => Median(runs.Select(value).Order().ToArray());

    private static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;

    /// <summary>One measured transfer: wall and CPU time of this process, allocations, and counts of the runtime's work.</summary>
    private sealed record Sample(long Bytes, double Seconds, double CpuSeconds, long AllocatedBytes, long WorkItems, long Contentions, int Gen0, int Gen2, double JitMilliseconds, long JitMethods)
    {
        /// <summary>When set, each run prints its start and end (Stopwatch ticks: CLOCK_MONOTONIC nanoseconds on Linux) to stderr, to split a profile of the process (perf record -k mono) by run.</summary>
        private static readonly bool Marks = Environment.GetEnvironmentVariable("BENCH_MARKS") == "1";

        public double MegabytesPerSecond => Bytes / Seconds / 1e6;

        public double CpuPerGiB => CpuSeconds / (Bytes / GiB);

        public static async Task<Sample> RunAsync(string side, Func<Task<long>> transfer)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            using var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var workItems = ThreadPool.CompletedWorkItemCount;
            var contentions = Monitor.LockContentionCount;
            var gen0 = GC.CollectionCount(0);
            var gen2 = GC.CollectionCount(2);
            var jitTime = System.Runtime.JitInfo.GetCompilationTime();
            var jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount();
            var start = Stopwatch.GetTimestamp();
            var watch = Stopwatch.StartNew();

            var bytes = await transfer();

            watch.Stop();
            if (Marks)
            {
                Console.Error.WriteLine($"mark {side} {start} {Stopwatch.GetTimestamp()} {Stopwatch.Frequency}");
            }

            process.Refresh();
            return new Sample(bytes, watch.Elapsed.TotalSeconds, (process.TotalProcessorTime - cpu).TotalSeconds,
                GC.GetTotalAllocatedBytes(precise: true) - allocated, ThreadPool.CompletedWorkItemCount - workItems,
                Monitor.LockContentionCount - contentions, GC.CollectionCount(0) - gen0, GC.CollectionCount(2) - gen2,
                (System.Runtime.JitInfo.GetCompilationTime() - jitTime).TotalMilliseconds, System.Runtime.JitInfo.GetCompiledMethodCount() - jitMethods);
        }
    }

    /// <summary>A read-only stream over an array that returns what each read asks for (unlike MemoryStream's CopyToAsync).</summary>
    private sealed class MemorySource(byte[] data) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var count = Math.Min(buffer.Length, data.Length - _position);
            data.AsSpan(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
