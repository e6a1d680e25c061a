using System.Text;
using Bytestream.Testing;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Bytestream.Client.Tests.Logging;

/// <summary>The client logs through the options' logger factory: attempts, resumes and retries, never payload bytes.</summary>
public class ClientLoggingTests : ServerTestBase
{
    private const int Chunk = 64 * 1024;

    [Test]
    public async Task UploadAndDownload_WithFaults_LogRetriesAndResumesButNoPayload()
    {
        using var provider = new RecordingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(provider).SetMinimumLevel(LogLevel.Trace));
        var client = CreateClient(o => { o.ChunkSize = Chunk; o.LoggerFactory = factory; });
        // A payload whose text would be easy to spot in a log line.
        var data = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("SECRET-PAYLOAD-", 30_000)));
        Server.Faults.FailNext(ByteStreamMethod.Write, StatusCode.Unavailable);
        Server.Faults.CutWrite(afterBytes: 2 * Chunk);
        Server.Faults.CutRead(afterBytes: 3 * Chunk);

        await client.UploadAsync("blobs/logged", data).DefaultTimeout();
        var back = await client.ReadAllBytesAsync("blobs/logged").DefaultTimeout();

        var entries = provider.Entries;
        Assert.Multiple(() =>
        {
            Assert.That(back, Is.EqualTo(data));
            Assert.That(entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.EventId.Id), Does.Contain(1), "a retry is a warning");
            Assert.That(entries.Select(e => e.EventId.Id), Does.Contain(31), "the resumed Write is logged");
            Assert.That(entries.Select(e => e.EventId.Id), Does.Contain(2), "resuming after progress is logged");
            Assert.That(entries.Select(e => e.Category), Is.All.StartsWith("Bytestream.Client"));
            Assert.That(entries.Select(e => e.Message), Has.None.Contains("SECRET-PAYLOAD"));
        });
    }

    [Test]
    public async Task Upload_QueryWriteStatusFailsAfterTheCut_TheRetryWarningCarriesTheQuerysFailure()
    {
        // The Write is cut with UNAVAILABLE, then the QueryWriteStatus that follows fails with ABORTED: the retry
        // that comes next is the query's, and its warning used to attach the Write's exception.
        using var provider = new RecordingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(provider).SetMinimumLevel(LogLevel.Trace));
        var client = CreateClient(o => { o.ChunkSize = Chunk; o.LoggerFactory = factory; o.InitialBackoff = TimeSpan.FromMilliseconds(1); o.MaxBackoff = TimeSpan.FromMilliseconds(1); });
        var data = TestData.Random(4 * Chunk);
        Server.Faults.CutWrite(afterBytes: Chunk, StatusCode.Unavailable);
        Server.Faults.FailNext(ByteStreamMethod.QueryWriteStatus, StatusCode.Aborted);

        await client.UploadAsync("blobs/query-fails", data).DefaultTimeout();

        var retries = provider.Entries.Where(e => e.EventId.Id == 1).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(retries, Has.Count.EqualTo(1));
            Assert.That((retries[0].Exception as RpcException)?.StatusCode, Is.EqualTo(StatusCode.Aborted), "the query failed last");
            Assert.That(TestData.Sha256(StoredResource("blobs/query-fails")), Is.EqualTo(TestData.Sha256(data)));
        });
    }

    [Test]
    public async Task Upload_WithoutLoggerFactory_WorksSilently()
    {
        var client = CreateClient();

        var result = await client.UploadAsync("blobs/quiet", TestData.Random(10)).DefaultTimeout();

        Assert.That(result.CommittedSize, Is.EqualTo(10));
    }
}
