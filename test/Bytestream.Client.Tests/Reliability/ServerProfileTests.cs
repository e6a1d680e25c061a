using Bytestream.Testing;
using Grpc.Core;
using Grpc.Net.Client;

namespace Bytestream.Client.Tests.Reliability;

/// <summary>
/// Every <see cref="ByteStreamServerProfile"/>: real servers' quirks end in success with identical data,
/// hostile servers in a clear, documented error; always within bounded time (and memory, where a server
/// could make the client hold more).
/// </summary>
[Category("Reliability")]
public class ServerProfileTests
{
    private const int Chunk = 64 * 1024;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    [Test]
    public async Task Buildbarn_UploadThroughCuts_StartsAgainAtZeroAndStoresIdenticalBytes()
    {
        await using var server = await StartAsync(ByteStreamServerProfile.Buildbarn);
        using var channel = server.CreateChannel();
        var data = TestData.Random(10 * Chunk);
        server.Faults.CutWrite(afterBytes: 4 * Chunk, times: 2);

        var result = await Client(channel).UploadAsync("bb/upload", new MemoryStream(data)).WaitAsync(Bound);

        Assert.Multiple(() =>
        {
            Assert.That(TestData.Sha256(Stored(server, "bb/upload")), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(result.Resumes, Is.EqualTo(2));
            Assert.That(server.WriteRequests.GroupBy(r => r.CallId).Select(c => c.First().WriteOffset), Is.All.Zero);
        });
    }

    [Test]
    public async Task Buildbarn_DownloadThroughCutsWithoutLimit_ReturnsIdenticalBytes()
    {
        await using var server = await StartAsync(ByteStreamServerProfile.Buildbarn);
        using var channel = server.CreateChannel();
        var data = TestData.Random(10 * Chunk);
        var name = TestData.BlobName(data);
        server.SetResource(name, data);
        server.Faults.CutRead(afterBytes: 3 * Chunk, times: 2);

        var bytes = await Client(channel).ReadAllBytesAsync(name).WaitAsync(Bound);

        Assert.That(TestData.Sha256(bytes), Is.EqualTo(TestData.Sha256(data)));
    }

    [Test]
    public async Task Buildbarn_ReadLimit_ThrowsTheServersUnimplemented()
    {
        await using var server = await StartAsync(ByteStreamServerProfile.Buildbarn);
        using var channel = server.CreateChannel();
        server.SetResource("bb/limited", TestData.Random(100));

        var error = Assert.ThrowsAsync<RpcException>(() =>
            Client(channel).DownloadAsync("bb/limited", Stream.Null, new DownloadOptions { Limit = 10 }).WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unimplemented));
    }

    [Test]
    public async Task Buildbarn_OffsetPastTheEnd_ThrowsTheServersInvalidArgument()
    {
        await using var server = await StartAsync(ByteStreamServerProfile.Buildbarn);
        using var channel = server.CreateChannel();
        server.SetResource("bb/short", TestData.Random(100));

        var error = Assert.ThrowsAsync<RpcException>(() =>
            Client(channel).DownloadAsync("bb/short", Stream.Null, new DownloadOptions { Offset = 101 }).WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
    }

    [Test]
    public async Task BazelRemote_UploadThroughCutsWithLaggingCommits_StartsAgainAtZeroAndStoresIdenticalBytes([Values] bool seekable)
    {
        await using var server = await StartAsync(ByteStreamServerProfile.BazelRemote);
        using var channel = server.CreateChannel();
        var data = TestData.Random(10 * Chunk);
        server.Faults.CutWrite(afterBytes: 4 * Chunk);
        server.Faults.CommitLag = Chunk / 2;
        Stream source = seekable ? new MemoryStream(data) : new ForwardOnlyReadStream(data);

        var result = await Client(channel).UploadAsync("br/upload", source).WaitAsync(Bound);

        Assert.Multiple(() =>
        {
            Assert.That(TestData.Sha256(Stored(server, "br/upload")), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(result.CommittedSize, Is.EqualTo(data.Length));
            Assert.That(server.WriteRequests.GroupBy(r => r.CallId).Last().First().WriteOffset, Is.Zero, "bazel-remote only ever reports 0");
        });
    }

    [Test]
    public async Task BazelRemote_BlobAlreadyStored_EndsEarlyWithSuccessWithoutSendingIt()
    {
        await using var server = await StartAsync(ByteStreamServerProfile.BazelRemote);
        using var channel = server.CreateChannel();
        // More than the server's HTTP/2 stream window (8 MiB): the client cannot have sent it all before the early end.
        var data = TestData.Random(24 * 1024 * 1024);
        var blob = BlobResourceName.Parse(TestData.BlobName(data, instance: "br"));
        server.SetResource(blob.ToReadResourceName(), data);

        var result = await Client(channel).UploadAsync(blob.ToUploadResourceName(Guid.NewGuid()), new ForwardOnlyReadStream(data)).WaitAsync(Bound);

        Assert.Multiple(() =>
        {
            Assert.That(result.CommittedSize, Is.EqualTo(data.Length));
            Assert.That(result.BytesSent, Is.LessThan(data.Length), "the rest of the source is not read");
        });
    }

    [Test]
    public async Task CommittedBeyondReceived_UploadThatResumes_ThrowsByteStreamExceptionAndStoresNothing()
    {
        await using var server = await StartAsync(ByteStreamServerProfile.CommittedBeyondReceived);
        using var channel = server.CreateChannel();
        server.Faults.CutWrite(afterBytes: 2 * Chunk);

        var error = Assert.ThrowsAsync<ByteStreamException>(() => Client(channel).UploadAsync("cb/upload", TestData.Random(6 * Chunk)).WaitAsync(Bound));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("only").And.Contain("sent"));
            Assert.That(error.ResourceName, Is.EqualTo("cb/upload"));
            Assert.That(server.TryGetResource("cb/upload", out _), Is.False);
        });
    }

    [Test]
    public async Task CommittedGoingBackwards_UploadThatResumesTwice_ThrowsByteStreamException()
    {
        await using var server = await StartAsync(ByteStreamServerProfile.CommittedGoingBackwards);
        using var channel = server.CreateChannel();
        server.Faults.CutWrite(afterBytes: 2 * Chunk, times: 2);

        var error = Assert.ThrowsAsync<ByteStreamException>(() => Client(channel).UploadAsync("gb/upload", TestData.Random(8 * Chunk)).WaitAsync(Bound));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("backwards"));
            Assert.That(server.TryGetResource("gb/upload", out _), Is.False);
        });
    }

    [Test]
    public async Task WrongFinalCommittedSize_Upload_ThrowsByteStreamException([Values] bool writeStream)
    {
        await using var server = await StartAsync(ByteStreamServerProfile.WrongFinalCommittedSize);
        using var channel = server.CreateChannel();
        var data = TestData.Random((3 * Chunk) + 5);
        var client = Client(channel);

        ByteStreamException? error;
        if (writeStream)
        {
            var stream = client.OpenWrite("wf/upload");
            await stream.WriteAsync(data).AsTask().WaitAsync(Bound);
            error = Assert.ThrowsAsync<ByteStreamException>(() => stream.CompleteAsync().WaitAsync(Bound));
            Assert.ThrowsAsync<ByteStreamException>(() => stream.DisposeAsync().AsTask().WaitAsync(Bound), "disposal after a failed completion");
        }
        else
        {
            error = Assert.ThrowsAsync<ByteStreamException>(() => client.UploadAsync("wf/upload", data).WaitAsync(Bound));
        }

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("committed_size " + (data.Length + 1)));
            Assert.That(error.CommittedSize, Is.EqualTo(data.Length + 1));
        });
    }

    [Test]
    public async Task IgnoresReadOffset_ResumedReadOfKnownLength_ThrowsByteStreamExceptionNotCorruptData([Values] bool stream)
    {
        await using var server = await StartAsync(ByteStreamServerProfile.IgnoresReadOffset);
        using var channel = server.CreateChannel();
        var data = TestData.Random(6 * Chunk);
        var name = TestData.BlobName(data);
        server.SetResource(name, data);
        server.Faults.CutRead(afterBytes: 2 * Chunk);
        var client = Client(channel);
        var received = new MemoryStream();

        var error = Assert.ThrowsAsync<ByteStreamException>(async () =>
        {
            if (stream)
            {
                await using var read = client.OpenRead(name);
                await read.CopyToAsync(received).WaitAsync(Bound);
            }
            else
            {
                await client.DownloadAsync(name, received).WaitAsync(Bound);
            }
        });

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("read_offset"));
            Assert.That(received.ToArray(), Is.EqualTo(data.AsSpan(0, (int)received.Length).ToArray()), "what was handed out is the resource's true prefix");
        });
    }

    [Test]
    public async Task IgnoresReadOffset_ReadFromAnOffsetWithExpectedLength_ThrowsByteStreamException()
    {
        await using var server = await StartAsync(ByteStreamServerProfile.IgnoresReadOffset);
        using var channel = server.CreateChannel();
        server.SetResource("io/opaque", TestData.Random(4 * Chunk));

        var error = Assert.ThrowsAsync<ByteStreamException>(() => Client(channel)
            .DownloadAsync("io/opaque", Stream.Null, new DownloadOptions { Offset = Chunk, ExpectedLength = 3 * Chunk }).WaitAsync(Bound));

        Assert.That(error!.ResourceName, Is.EqualTo("io/opaque"));
    }

    [Test]
    public async Task OversizedReadMessages_OverTheChannelsReceiveLimit_ThrowsResourceExhaustedAfterTheRetries()
    {
        await using var server = await StartAsync(ByteStreamServerProfile.OversizedReadMessages);
        using var channel = server.CreateChannel();
        var data = TestData.Random(5 * 1024 * 1024);
        server.SetResource("ov/big", data);

        var error = Assert.ThrowsAsync<RpcException>(() => Client(channel, retries: 2).ReadAllBytesAsync("ov/big").WaitAsync(Bound));

        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
            Assert.That(error.Status.Detail, Does.Contain("message").IgnoreCase);
            Assert.That(server.Calls.Count(c => c.Method == ByteStreamMethod.Read), Is.EqualTo(3), "the first call and 2 retries");
        });
    }

    [Test]
    public async Task OversizedReadMessages_ChannelLimitRaised_ReturnsIdenticalBytes()
    {
        await using var server = await StartAsync(ByteStreamServerProfile.OversizedReadMessages);
        using var channel = server.CreateChannel(new GrpcChannelOptions { MaxReceiveMessageSize = 16 * 1024 * 1024 });
        var data = TestData.Random(5 * 1024 * 1024);
        server.SetResource("ov/raised", data);

        var bytes = await Client(channel).ReadAllBytesAsync("ov/raised").WaitAsync(Bound);

        Assert.That(TestData.Sha256(bytes), Is.EqualTo(TestData.Sha256(data)));
    }

    [TestCase(true, 0)]
    [TestCase(false, Chunk)]
    public async Task EndlessRead_KnownLengthOrLimit_ThrowsByteStreamException(bool reapiName, int limit)
    {
        await using var server = await StartAsync(ByteStreamServerProfile.EndlessRead);
        using var channel = server.CreateChannel();
        var data = TestData.Random(3 * Chunk);
        var name = reapiName ? TestData.BlobName(data) : "er/limited";
        server.SetResource(name, data);

        var error = Assert.ThrowsAsync<ByteStreamException>(() =>
            Client(channel).DownloadAsync(name, Stream.Null, new DownloadOptions { Limit = limit }).WaitAsync(Bound));

        Assert.That(error!.Message, Does.Contain("more than"));
    }

    [Test]
    public async Task EndlessRead_UnknownLength_RunsUntilTheCallerCancelsInBoundedMemory()
    {
        await using var server = await StartAsync(ByteStreamServerProfile.EndlessRead);
        using var channel = server.CreateChannel();
        server.SetResource("er/endless", TestData.Random(4 * 1024 * 1024));
        const long cancelAfter = 512L * 1024 * 1024;
        using var cts = new CancellationTokenSource();
        var sink = new MeasuringSink(cancelAfter, cts);

        Assert.CatchAsync<OperationCanceledException>(() => Client(channel).DownloadAsync("er/endless", sink, cancellationToken: cts.Token).WaitAsync(TimeSpan.FromSeconds(60)));

        // A client that kept what it read would hold 512 MiB; a streaming one holds a few messages and garbage.
        Assert.Multiple(() =>
        {
            Assert.That(sink.Written, Is.GreaterThanOrEqualTo(cancelAfter));
            Assert.That(sink.PeakHeapGrowth, Is.LessThan(192L * 1024 * 1024), $"peak GC heap growth {sink.PeakHeapGrowth / (1024 * 1024)} MiB over {sink.Written / (1024 * 1024)} MiB read");
        });
    }

    [Test]
    public async Task StallsForever_WithStallTimeout_EveryPathFailsWithDeadlineExceededInBoundedTime()
    {
        await using var server = await StartAsync(ByteStreamServerProfile.StallsForever);
        using var channel = server.CreateChannel();
        server.SetResource("sf/resource", TestData.Random(Chunk));
        var client = Client(channel, retries: 2, stallTimeout: TimeSpan.FromMilliseconds(100));

        var upload = Assert.ThrowsAsync<RpcException>(() => client.UploadAsync("sf/upload", TestData.Random(3 * Chunk)).WaitAsync(Bound));
        var download = Assert.ThrowsAsync<RpcException>(() => client.ReadAllBytesAsync("sf/resource").WaitAsync(Bound));
        var query = Assert.ThrowsAsync<RpcException>(() => client.QueryWriteStatusAsync("sf/upload").WaitAsync(Bound));

        Assert.Multiple(() =>
        {
            Assert.That(upload!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded), upload.ToString());
            Assert.That(download!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded), download.ToString());
            Assert.That(query!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded), query.ToString());
        });
    }

    [Test]
    public async Task StallsForever_WithoutStallTimeout_EndsWhenTheCallerCancels([Values] bool upload)
    {
        await using var server = await StartAsync(ByteStreamServerProfile.StallsForever);
        using var channel = server.CreateChannel();
        server.SetResource("sf/resource", TestData.Random(Chunk));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var client = Client(channel);

        Assert.CatchAsync<OperationCanceledException>(() => upload
            ? client.UploadAsync("sf/upload", TestData.Random(3 * Chunk), cancellationToken: cts.Token).WaitAsync(Bound)
            : client.ReadAllBytesAsync("sf/resource", cts.Token).WaitAsync(Bound));
    }

    [Test]
    public async Task OkWithoutResponse_Upload_AsksQueryWriteStatusAndSucceedsWithIdenticalBytes([Values] bool writeStream)
    {
        await using var server = await StartAsync(ByteStreamServerProfile.OkWithoutResponse);
        using var channel = server.CreateChannel();
        var data = TestData.Random((4 * Chunk) + 9);
        var client = Client(channel);

        UploadResult result;
        if (writeStream)
        {
            await using var stream = client.OpenWrite("ok/upload");
            await stream.WriteAsync(data).AsTask().WaitAsync(Bound);
            result = await stream.CompleteAsync().WaitAsync(Bound);
        }
        else
        {
            result = await client.UploadAsync("ok/upload", new ForwardOnlyReadStream(data)).WaitAsync(Bound);
        }

        Assert.Multiple(() =>
        {
            Assert.That(TestData.Sha256(Stored(server, "ok/upload")), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(result.CommittedSize, Is.EqualTo(data.Length));
            Assert.That(server.Calls.Select(c => c.Method), Does.Contain(ByteStreamMethod.QueryWriteStatus), "the missing response is not taken for success");
        });
    }

    [Test]
    public async Task Profile_SurvivesReset()
    {
        await using var server = await StartAsync(ByteStreamServerProfile.Buildbarn);
        using var channel = server.CreateChannel();
        server.Reset();

        var error = Assert.ThrowsAsync<RpcException>(() => Client(channel).QueryWriteStatusAsync("bb/after-reset").WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unimplemented));
    }

    [Test]
    public void Profile_NotDefined_ThrowsArgumentOutOfRange()
    {
        var options = new ByteStreamTestServerOptions();

        Assert.Throws<ArgumentOutOfRangeException>(() => options.Profile = (ByteStreamServerProfile)999);
    }

    private static Task<ByteStreamTestServer> StartAsync(ByteStreamServerProfile profile) =>
        ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { Profile = profile }).DefaultTimeout();

    private static ByteStreamClient Client(GrpcChannel channel, int retries = 5, TimeSpan? stallTimeout = null) =>
        new(channel, new ByteStreamClientOptions
        {
            ChunkSize = Chunk,
            MaxRetryAttempts = retries,
            InitialBackoff = TimeSpan.Zero,
            MaxBackoff = TimeSpan.Zero,
            StallTimeout = stallTimeout,
        });

    private static byte[] Stored(ByteStreamTestServer server, string name)
    {
        Assert.That(server.TryGetResource(name, out var data), Is.True, $"'{name}' is not a complete resource on the server");
        return data;
    }

    /// <summary>Counts what is written, watches the GC heap, and cancels once enough has arrived.</summary>
    private sealed class MeasuringSink(long cancelAfter, CancellationTokenSource cancel) : Stream
    {
        private readonly long _baseline = GC.GetTotalMemory(forceFullCollection: true);

        public long Written { get; private set; }

        public long PeakHeapGrowth { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Written;

        public override long Position
        {
            get => Written;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Written += buffer.Length;
            PeakHeapGrowth = Math.Max(PeakHeapGrowth, GC.GetTotalMemory(forceFullCollection: false) - _baseline);
            if (Written >= cancelAfter)
            {
                cancel.Cancel();
            }
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
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
