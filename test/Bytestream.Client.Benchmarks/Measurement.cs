using System.Diagnostics;

namespace Bytestream.Client.Benchmarks;

/// <summary>One measured run: wall time, this process's CPU time, bytes allocated and working-set growth.</summary>
internal sealed record Measurement(long Bytes, double Seconds, double CpuSeconds, long AllocatedBytes, long PeakWorkingSetGrowth)
{
    private const double GiB = 1024.0 * 1024 * 1024;

    public double MegabytesPerSecond => Bytes / Seconds / 1e6;

    public double CpuSecondsPerGiB => CpuSeconds / (Bytes / GiB);

    public double AllocatedPerGiB => AllocatedBytes / (Bytes / GiB);

    public static async Task<Measurement> RunAsync(Func<Task<long>> transfer)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        var baseline = Environment.WorkingSet;
        using var sampler = new WorkingSetSampler();
        var cpu = process.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();

        var bytes = await transfer();

        watch.Stop();
        var allocatedAfter = GC.GetTotalAllocatedBytes(precise: true);
        process.Refresh();
        return new Measurement(bytes, watch.Elapsed.TotalSeconds, (process.TotalProcessorTime - cpu).TotalSeconds,
            allocatedAfter - allocated, Math.Max(0, sampler.Peak - baseline));
    }

    /// <summary>Samples the working set every few milliseconds on a thread of its own: the peak is what a user would see.</summary>
    private sealed class WorkingSetSampler : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stop;
        private long _peak = Environment.WorkingSet;

        public WorkingSetSampler()
        {
            _thread = new Thread(() =>
            {
                while (!_stop)
                {
                    Interlocked.Exchange(ref _peak, Math.Max(Interlocked.Read(ref _peak), Environment.WorkingSet));
                    Thread.Sleep(5);
                }
            }) { IsBackground = true, Name = "working-set sampler" };
            _thread.Start();
        }

        public long Peak => Math.Max(Interlocked.Read(ref _peak), Environment.WorkingSet);

        public void Dispose()
        {
            _stop = true;
            _thread.Join();
        }
    }
}
