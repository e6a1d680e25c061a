using Bytestream.Client.Tests.Infrastructure;
using Bytestream.Testing;
using Grpc.Core;

namespace Bytestream.Client.Tests.Streams;

/// <summary>
/// <see cref="ByteStreamWriteStream"/> from <see cref="ByteStreamClient.OpenWrite"/> against the test server:
/// the conformance of the base class, and the write stream's own contract (chunks go out as they fill,
/// FlushAsync sends a partial chunk, disposal completes unless a write failed or the expected length was
/// not reached, Abort leaves the upload resumable).
/// </summary>
public class WriteStreamConformanceTests : StreamConformanceTests
{
    private const int ChunkSize = 1000;

    private ByteStreamTestServer _server = null!;
    private Grpc.Net.Client.GrpcChannel _channel = null!;
    private ByteStreamClient _client = null!;
    private int _streams;

    protected override bool CanReadStream => false;

    protected override bool CanWriteStream => true;

    [OneTimeSetUp]
    public async Task StartServerAsync()
    {
        _server = await ByteStreamTestServer.StartAsync().DefaultTimeout();
        _channel = _server.CreateChannel();
        _client = new ByteStreamClient(_channel, new ByteStreamClientOptions
        {
            ChunkSize = ChunkSize,
            InitialBackoff = TimeSpan.Zero,
            MaxBackoff = TimeSpan.Zero,
        });
    }

    [OneTimeTearDown]
    public async Task StopServerAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync().DefaultTimeout();
    }

    [SetUp]
    public void ResetServer() => _server.Reset();

    protected override Task<Stream> CreateStreamAsync(byte[] data) => Task.FromResult<Stream>(_client.OpenWrite(NextName()));

    protected override async Task<byte[]> FinishWriteAsync(Stream stream)
    {
        var writeStream = (ByteStreamWriteStream)stream;
        var result = await writeStream.CompleteAsync();
        Assert.That(result.CommittedSize, Is.EqualTo(writeStream.Position));
        return Stored(writeStream.ResourceName);
    }

    [Test]
    public async Task Dispose_AfterWritingInEachMode_CompletesTheUpload([Values] WriteMode mode, [Values] bool async)
    {
        var data = TestData.Random(DataSize, seed: 200 + (int)mode);
        var stream = _client.OpenWrite(NextName());

        await WriteAllAsync(mode, stream, data).DefaultTimeout();
        if (async)
        {
            await stream.DisposeAsync().DefaultTimeout();
        }
        else
        {
            stream.Dispose();
        }

        Assert.That(TestData.Sha256(Stored(stream.ResourceName)), Is.EqualTo(TestData.Sha256(data)));
        Assert.That(Requests(stream.ResourceName).Count(r => r.FinishWrite), Is.EqualTo(1));
    }

    [Test]
    public async Task WriteAsync_FullChunks_GoOutAsTheyFill()
    {
        await using var stream = _client.OpenWrite(NextName());

        await stream.WriteAsync(TestData.Random((2 * ChunkSize) + 500)).DefaultTimeout();
        await WaitForRequestsAsync(stream.ResourceName, 2);

        Assert.That(Requests(stream.ResourceName).Select(r => (r.WriteOffset, r.DataLength)),
            Is.EqualTo(new[] { (0L, ChunkSize), ((long)ChunkSize, ChunkSize) }), "the partial chunk waits for more data or a flush");
        Assert.That(stream.Position, Is.EqualTo((2 * ChunkSize) + 500));
    }

    [Test]
    public async Task FlushAsync_PartialChunk_IsSent()
    {
        var data = TestData.Random(ChunkSize + 300);
        await using var stream = _client.OpenWrite(NextName());
        await stream.WriteAsync(data).DefaultTimeout();

        await stream.FlushAsync().DefaultTimeout();
        await WaitForRequestsAsync(stream.ResourceName, 2);

        Assert.That(Requests(stream.ResourceName).Select(r => (r.WriteOffset, r.DataLength, r.FinishWrite)),
            Is.EqualTo(new[] { (0L, ChunkSize, false), ((long)ChunkSize, 300, false) }));
        var result = await stream.CompleteAsync().DefaultTimeout();
        Assert.That(result.CommittedSize, Is.EqualTo(data.Length));
        Assert.That(TestData.Sha256(Stored(stream.ResourceName)), Is.EqualTo(TestData.Sha256(data)));
    }

    [Test]
    public async Task CompleteAsync_Twice_ReturnsTheSameResult()
    {
        var data = TestData.Random(2500);
        await using var stream = _client.OpenWrite(NextName());
        await stream.WriteAsync(data).DefaultTimeout();

        var first = await stream.CompleteAsync().DefaultTimeout();
        var second = await stream.CompleteAsync().DefaultTimeout();

        Assert.That(second, Is.EqualTo(first));
        Assert.That(first.CommittedSize, Is.EqualTo(data.Length));
        Assert.That(stream.CanWrite, Is.False);
        Assert.That(Requests(stream.ResourceName).Count(r => r.FinishWrite), Is.EqualTo(1));
    }

    [Test]
    public async Task Dispose_ExpectedLengthNotReached_ThrowsWithoutFinishWrite()
    {
        var stream = _client.OpenWrite(NextName(), new UploadOptions { ExpectedLength = 5000 });
        await stream.WriteAsync(TestData.Random(3000)).DefaultTimeout();

        var ex = Assert.ThrowsAsync<ByteStreamException>(async () => await stream.DisposeAsync());

        Assert.That(ex!.ResourceName, Is.EqualTo(stream.ResourceName));
        Assert.That(Requests(stream.ResourceName).Any(r => r.FinishWrite), Is.False);
        Assert.That(_server.TryGetResource(stream.ResourceName, out _), Is.False);
    }

    [Test]
    public async Task Dispose_ReapiUploadNameNotReached_ThrowsWithoutFinishWrite()
    {
        var data = TestData.Random(4000);
        var name = BlobResourceName.Parse(TestData.BlobName(data)).ToUploadResourceName(Guid.NewGuid());
        var stream = _client.OpenWrite(name);
        await stream.WriteAsync(data.AsMemory(0, 3999)).DefaultTimeout();

        Assert.Throws<ByteStreamException>(stream.Dispose);

        Assert.That(Requests(name).Any(r => r.FinishWrite), Is.False);
    }

    [Test]
    public async Task Dispose_AfterAFailedWrite_ThrowsWithoutFinishWrite()
    {
        var stream = _client.OpenWrite(NextName());
        _server.Faults.FailNext(ByteStreamMethod.Write, StatusCode.PermissionDenied);
        var piece = TestData.Random(ChunkSize);

        // The server fails the call after its first request; the client notices on a later send.
        var failure = await CatchAsync(() => stream.WriteAsync(piece).AsTask());
        await WaitForRequestsAsync(stream.ResourceName, 1);
        await _server.Calls.Single(c => c.Method == ByteStreamMethod.Write).Ended.DefaultTimeout();
        await Eventually.UntilAsync(
            async () => (failure ??= await CatchAsync(() => stream.WriteAsync(piece).AsTask())) is not null,
            "a write to fail after the server failed the call");

        Assert.That(failure, Is.InstanceOf<RpcException>().With.Property(nameof(RpcException.StatusCode)).EqualTo(StatusCode.PermissionDenied));
        Assert.That(stream.CanWrite, Is.False);
        var ex = Assert.ThrowsAsync<ByteStreamException>(async () => await stream.DisposeAsync());
        Assert.That(ex!.ResourceName, Is.EqualTo(stream.ResourceName));
        Assert.That(Requests(stream.ResourceName).Any(r => r.FinishWrite), Is.False);
    }

    [Test]
    public async Task Abort_AfterSomeWrites_EndsWithoutFinishWriteAndStaysResumable()
    {
        var data = TestData.Random((3 * ChunkSize) + 77, seed: 5);
        var name = NextName();
        var stream = _client.OpenWrite(name);
        await stream.WriteAsync(data.AsMemory(0, 3 * ChunkSize)).DefaultTimeout();
        await stream.FlushAsync().DefaultTimeout();
        await WaitForRequestsAsync(name, 3);

        stream.Abort();
        await stream.DisposeAsync().DefaultTimeout();

        Assert.That(Requests(name).Any(r => r.FinishWrite), Is.False);
        Assert.That(_server.TryGetWriteStatus(name, out var committed, out var complete), Is.True);
        Assert.That(complete, Is.False);
        Assert.That(committed, Is.EqualTo(3 * ChunkSize));
        var result = await _client.UploadAsync(name, data, new UploadOptions { ResumeExistingUpload = true }).DefaultTimeout();
        Assert.That(result.CommittedSize, Is.EqualTo(data.Length));
        Assert.That(result.BytesSent, Is.EqualTo(77), "only the part after the committed bytes is sent again");
        Assert.That(TestData.Sha256(Stored(name)), Is.EqualTo(TestData.Sha256(data)));
    }

    [Test]
    public async Task WriteAsync_AfterComplete_ThrowsInvalidOperation()
    {
        await using var stream = _client.OpenWrite(NextName());
        await stream.WriteAsync(TestData.Random(10)).DefaultTimeout();
        await stream.CompleteAsync().DefaultTimeout();

        Assert.ThrowsAsync<InvalidOperationException>(async () => await stream.WriteAsync(TestData.Random(10)));
    }

    private string NextName() => $"conformance/uploads/{Interlocked.Increment(ref _streams)}";

    private byte[] Stored(string name)
    {
        Assert.That(_server.TryGetResource(name, out var stored), Is.True, $"'{name}' must be a complete resource");
        return stored;
    }

    private WriteRequestRecord[] Requests(string name)
    {
        var callIds = _server.Calls.Where(c => c.Method == ByteStreamMethod.Write && c.ResourceName == name).Select(c => c.CallId).ToHashSet();
        return [.. _server.WriteRequests.Where(r => callIds.Contains(r.CallId))];
    }

    private Task WaitForRequestsAsync(string name, int count) =>
        Eventually.UntilAsync(() => Requests(name).Length >= count, $"{count} WriteRequests for '{name}'");

    private static async Task<Exception?> CatchAsync(Func<Task> action)
    {
        try
        {
            await action().DefaultTimeout();
            return null;
        }
        catch (Exception ex) when (ex is not TimeoutException)
        {
            return ex;
        }
    }
}
