using Bytestream.Client.Tests.Infrastructure;
using Bytestream.Testing;

namespace Bytestream.Client.Tests.Streams;

/// <summary><see cref="ByteStreamReadStream"/> from <see cref="ByteStreamClient.OpenRead(string, long, long)"/> over a resource on the test server.</summary>
public class ReadStreamConformanceTests : StreamConformanceTests
{
    private ByteStreamTestServer _server = null!;
    private Grpc.Net.Client.GrpcChannel _channel = null!;
    private ByteStreamClient _client = null!;

    protected override bool CanReadStream => true;

    protected override bool CanWriteStream => false;

    [OneTimeSetUp]
    public async Task StartServerAsync()
    {
        // Small server chunks: the varying read sizes straddle many chunk boundaries.
        _server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { ReadChunkSize = 1000 }).DefaultTimeout();
        _channel = _server.CreateChannel();
        _client = new ByteStreamClient(_channel, new ByteStreamClientOptions { InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });
    }

    [OneTimeTearDown]
    public async Task StopServerAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync().DefaultTimeout();
    }

    [SetUp]
    public void ResetServer() => _server.Reset();

    protected override Task<Stream> CreateStreamAsync(byte[] data)
    {
        var name = TestData.BlobName(data);
        _server.SetResource(name, data);
        return Task.FromResult<Stream>(_client.OpenRead(name));
    }

    protected override Task<byte[]> FinishWriteAsync(Stream stream) => throw new NotSupportedException("A read stream does not write.");

    [Test]
    public async Task Read_EachModeWithCutsEveryFewChunks_ReturnsTheData([Values] ReadMode mode)
    {
        var data = TestData.Random(DataSize, seed: 7);
        _server.Faults.CutRead(2500, times: 10);
        await using var stream = await CreateStreamAsync(data).DefaultTimeout();

        var read = await ReadAllAsync(mode, stream).DefaultTimeout();

        Assert.That(TestData.Sha256(read), Is.EqualTo(TestData.Sha256(data)));
        Assert.That(_server.Calls, Has.Count.EqualTo(3), "cut at 2500 and 5000, then the rest");
    }

    [Test]
    public async Task ReadAsync_FromAnOffset_PositionStartsThere()
    {
        var data = TestData.Random(DataSize, seed: 8);
        var name = TestData.BlobName(data);
        _server.SetResource(name, data);
        await using var stream = _client.OpenRead(name, offset: 1234);

        var read = await ReadAllAsync(ReadMode.ReadAsyncMemory, new OffsetPosition(stream, 1234)).DefaultTimeout();

        Assert.That(TestData.Sha256(read), Is.EqualTo(TestData.Sha256(data.AsSpan(1234))));
        Assert.That(stream.Position, Is.EqualTo(data.Length));
    }

    /// <summary>Shows a stream's Position relative to where it started, so the base helper's Position checks apply.</summary>
    private sealed class OffsetPosition(Stream inner, long start) : Stream
    {
        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => inner.Position - start;
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
