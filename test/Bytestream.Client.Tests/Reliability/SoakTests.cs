using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Bytestream.Testing;
using Grpc.Core;

namespace Bytestream.Client.Tests.Reliability;

/// <summary>
/// The soak, outside the default run: 1 GiB uploaded from a non-seekable source with a cut every 8 MiB and
/// commits lagging behind, then read back through a cut every 8 MiB, SHA-256 verified, while the process's
/// managed heap and working set are sampled. The server keeps the data in files, so neither side may hold it.
/// Run it with <c>dotnet test test/Bytestream.Client.Tests -c Release --filter "TestCategory=Soak"</c>; see docs/reliability.md.
/// </summary>
/// <remarks>
/// Environment variables: <c>BYTESTREAM_SOAK_MIB</c> (default 1024), <c>BYTESTREAM_SOAK_CUT_MIB</c> (default 8),
/// <c>BYTESTREAM_SOAK_LAG_BYTES</c> (default 1 MiB + 7).
/// </remarks>
[Explicit("Run on request (--filter TestCategory=Soak): a soak of about a minute, see docs/reliability.md")]
[Category("Soak")]
public class SoakTests
{
    private const long MiB = 1024 * 1024;

    // Far below the gigabyte: a client (or server) that kept the data would pass these at once.
    private const long MaxHeapGrowth = 256 * MiB;
    private const long MaxWorkingSetGrowth = 512 * MiB;

    [Test]
    public async Task OneGiB_CutEvery8MiBWithLaggingCommits_IdenticalBytesInBoundedMemory()
    {
        var size = Setting("BYTESTREAM_SOAK_MIB", 1024) * MiB;
        var cut = Setting("BYTESTREAM_SOAK_CUT_MIB", 8) * MiB;
        var lag = Setting("BYTESTREAM_SOAK_LAG_BYTES", MiB + 7);
        var storage = Directory.CreateTempSubdirectory("bytestream-soak-");
        try
        {
            await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { StorageDirectory = storage.FullName }).DefaultTimeout();
            using var channel = server.CreateChannel();
            var client = new ByteStreamClient(channel, new ByteStreamClientOptions { InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });
            var expected = Convert.ToHexStringLower(await SHA256.HashDataAsync(new PatternStream(size)));
            // REAPI names, as a build cache uses: the read knows its length, so an error after the last byte is success.
            var blob = new BlobResourceName("soak", expected, size);
            var name = blob.ToUploadResourceName(Guid.NewGuid());

            using var memory = new MemorySampler();
            server.Faults.CutWrite(afterBytes: cut, times: int.MaxValue, resourceName: name);
            server.Faults.CommitLag = lag;
            var uploadClock = Stopwatch.StartNew();
            var upload = await client.UploadAsync(name, new PatternStream(size)).WaitAsync(TimeSpan.FromMinutes(10));
            uploadClock.Stop();
            var uploadCuts = server.Calls.Count(c => c.Method == ByteStreamMethod.Write && c.Status == StatusCode.Unavailable);

            server.Faults.Clear();
            server.Faults.CutRead(afterBytes: cut, times: int.MaxValue, resourceName: blob.ToReadResourceName());
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var sink = new HashingSink(hash);
            var downloadClock = Stopwatch.StartNew();
            var downloaded = await client.DownloadAsync(blob.ToReadResourceName(), sink).WaitAsync(TimeSpan.FromMinutes(10));
            downloadClock.Stop();
            var readCuts = server.Calls.Count(c => c.Method == ByteStreamMethod.Read && c.Status == StatusCode.Unavailable);
            var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            memory.Stop();

            await TestContext.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"soak: {size / MiB} MiB, cut every {cut / MiB} MiB, commit lag {lag} bytes. " +
                $"upload {uploadClock.Elapsed.TotalSeconds:F1} s ({size / MiB / uploadClock.Elapsed.TotalSeconds:F0} MiB/s), " +
                $"{uploadCuts} cuts, {upload.Resumes} resumes, {upload.BytesSent} bytes sent ({100.0 * (upload.BytesSent - size) / size:F1} % resent); " +
                $"download {downloadClock.Elapsed.TotalSeconds:F1} s ({size / MiB / downloadClock.Elapsed.TotalSeconds:F0} MiB/s), {readCuts} cuts; " +
                $"SHA-256 {(actual == expected ? "identical" : "DIFFERENT")}; peak managed heap +{memory.PeakHeapGrowth / MiB} MiB, " +
                $"peak working set +{memory.PeakWorkingSetGrowth / MiB} MiB ({memory.Samples} samples)."));
            Assert.Multiple(() =>
            {
                Assert.That(upload.CommittedSize, Is.EqualTo(size));
                Assert.That(upload.Resumes, Is.EqualTo(uploadCuts).And.GreaterThanOrEqualTo((int)(size / cut) - 1));
                Assert.That(downloaded, Is.EqualTo(size));
                Assert.That(readCuts, Is.GreaterThanOrEqualTo((int)(size / cut) - 1));
                Assert.That(actual, Is.EqualTo(expected), "the bytes read back are the bytes uploaded");
                Assert.That(memory.PeakHeapGrowth, Is.LessThan(MaxHeapGrowth));
                Assert.That(memory.PeakWorkingSetGrowth, Is.LessThan(MaxWorkingSetGrowth));
            });
        }
        finally
        {
            storage.Delete(recursive: true);
        }
    }

    private static long Setting(string variable, long fallback) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? long.Parse(value, CultureInfo.InvariantCulture) : fallback;

    /// <summary>Samples the managed heap and the working set every 50 ms, against the values when it started.</summary>
    private sealed class MemorySampler : IDisposable
    {
        private readonly long _heapBaseline;
        private readonly long _workingSetBaseline;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public MemorySampler()
        {
            _heapBaseline = GC.GetTotalMemory(forceFullCollection: true);
            using var process = Process.GetCurrentProcess();
            _workingSetBaseline = process.WorkingSet64;
            _loop = SampleAsync();
        }

        public long PeakHeapGrowth { get; private set; }

        public long PeakWorkingSetGrowth { get; private set; }

        public int Samples { get; private set; }

        public void Stop()
        {
            _stop.Cancel();
            _loop.ContinueWith(static _ => { }, TaskScheduler.Default).Wait(TaskExtensions.DefaultTimeoutSpan);
            Sample();
        }

        public void Dispose()
        {
            _stop.Cancel();
            _stop.Dispose();
        }

        private async Task SampleAsync()
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                Sample();
            }
        }

        private void Sample()
        {
            using var process = Process.GetCurrentProcess();
            PeakHeapGrowth = Math.Max(PeakHeapGrowth, GC.GetTotalMemory(forceFullCollection: false) - _heapBaseline);
            PeakWorkingSetGrowth = Math.Max(PeakWorkingSetGrowth, process.WorkingSet64 - _workingSetBaseline);
            Samples++;
        }
    }

    /// <summary>A write-only stream that only hashes what it is given.</summary>
    private sealed class HashingSink(IncrementalHash hash) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => hash.AppendData(buffer, offset, count);

        public override void Write(ReadOnlySpan<byte> buffer) => hash.AppendData(buffer);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            hash.AppendData(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
