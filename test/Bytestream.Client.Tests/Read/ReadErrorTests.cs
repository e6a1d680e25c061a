using Bytestream.Client.Tests.Infrastructure;
using Bytestream.Testing;
using Grpc.Core;

namespace Bytestream.Client.Tests.Read;

/// <summary>Server errors, hostile servers and bad arguments on the read path.</summary>
public class ReadErrorTests : ReadServerTestBase
{
    private const int Size = (3 * Chunk) + 50;

    [Test]
    public void DownloadAsync_UnknownResource_ThrowsNotFoundWithoutRetrying()
    {
        var ex = Assert.ThrowsAsync<RpcException>(() => CreateClient().DownloadAsync("no/such/resource", new MemoryStream()).DefaultTimeout());

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.NotFound));
        Assert.That(ReadCalls, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task ReadAsync_UnknownResource_ThrowsNotFoundThroughTheStream()
    {
        await using var stream = CreateClient().OpenRead("no/such/resource");

        var ex = Assert.ThrowsAsync<RpcException>(async () => await stream.ReadAsync(new byte[10]).DefaultTimeout());

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.NotFound));
    }

    [Test]
    public void Read_UnknownResource_ThrowsNotFoundThroughTheSyncStream()
    {
        using var stream = CreateClient().OpenRead("no/such/resource");

        var ex = Assert.Throws<RpcException>(() => stream.ReadByte());

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.NotFound));
    }

    [Test]
    public void ReadAllBytesAsync_UnknownReapiBlob_ThrowsNotFound()
    {
        var data = TestData.Random(10);

        var ex = Assert.ThrowsAsync<RpcException>(() => CreateClient().ReadAllBytesAsync(TestData.BlobName(data)).DefaultTimeout());

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.NotFound));
    }

    [Test]
    public async Task ReadAsync_OffsetBeyondTheEnd_ThrowsOutOfRangeThroughTheStream()
    {
        var (name, _) = AddResource(100);
        await using var stream = CreateClient().OpenRead(name, offset: 101);

        var ex = Assert.ThrowsAsync<RpcException>(async () => await stream.ReadAsync(new byte[10]).DefaultTimeout());

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.OutOfRange));
        Assert.That(ReadCalls, Has.Count.EqualTo(1));
    }

    [Test]
    public void DownloadAsync_OffsetBeyondTheEndOfAReapiBlob_ThrowsBeforeAnyCall()
    {
        var (name, _) = AddBlob(100);

        var ex = Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => CreateClient().DownloadAsync(name, new MemoryStream(), new DownloadOptions { Offset = 200 }).DefaultTimeout());

        Assert.That(ex!.Message, Does.Contain("100 bytes"));
        Assert.That(ReadCalls, Is.Empty);
    }

    [Test]
    public void DownloadAsync_OffsetBeyondTheEndOfAPlainName_ThrowsTheServersOutOfRange()
    {
        Server.SetResource("plain/resource", new byte[100]);

        var ex = Assert.ThrowsAsync<RpcException>(() => CreateClient().DownloadAsync("plain/resource", new MemoryStream(), new DownloadOptions { Offset = 200 }).DefaultTimeout());

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.OutOfRange));
    }

    [TestCase(StatusCode.PermissionDenied)]
    [TestCase(StatusCode.InvalidArgument)]
    [TestCase(StatusCode.FailedPrecondition)]
    [TestCase(StatusCode.Unimplemented)]
    public void DownloadAsync_NonRetryableFailure_IsNotRetried(StatusCode status)
    {
        var (name, _) = AddBlob(Size);
        Server.Faults.FailNext(ByteStreamMethod.Read, status);

        var ex = Assert.ThrowsAsync<RpcException>(() => CreateClient().DownloadAsync(name, new MemoryStream()).DefaultTimeout());

        Assert.That(ex!.StatusCode, Is.EqualTo(status));
        Assert.That(ReadCalls, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task ReadAsync_NonRetryableCutAfterProgress_SurfacesAfterTheDeliveredBytes()
    {
        var (name, data) = AddResource(Size);
        Server.Faults.CutRead(Chunk, StatusCode.PermissionDenied);
        await using var stream = CreateClient().OpenRead(name);
        var buffer = new byte[Size];

        var n = await stream.ReadAsync(buffer).DefaultTimeout();
        var ex = Assert.ThrowsAsync<RpcException>(async () => await stream.ReadAsync(buffer).DefaultTimeout());

        Assert.That(n, Is.EqualTo(Chunk));
        Assert.That(buffer.AsSpan(0, n).SequenceEqual(data.AsSpan(0, n)), Is.True);
        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.PermissionDenied));
        Assert.That(ReadCalls, Has.Count.EqualTo(1));
    }

    [Test]
    public void DownloadAsync_ServerIgnoresReadOffsetOnResume_ThrowsByteStreamException()
    {
        var (name, _) = AddBlob(Size);
        Server.Faults.IgnoreReadOffset = true;
        Server.Faults.CutRead(Chunk + 1);
        var destination = new MemoryStream();

        var ex = Assert.ThrowsAsync<ByteStreamException>(() => CreateClient().DownloadAsync(name, destination).DefaultTimeout());

        Assert.That(ex!.ResourceName, Is.EqualTo(name));
        Assert.That(destination.Length, Is.LessThanOrEqualTo(Size), "never more bytes than the blob holds");
        Assert.That(ReadCalls, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task ReadAsync_ServerIgnoresReadOffset_ThrowsByteStreamException()
    {
        var (name, _) = AddBlob(Size);
        Server.Faults.IgnoreReadOffset = true;
        await using var stream = CreateClient().OpenRead(name, offset: 1000);

        var ex = Assert.ThrowsAsync<ByteStreamException>(() => stream.CopyToAsync(new MemoryStream()).DefaultTimeout());

        Assert.That(ex!.ResourceName, Is.EqualTo(name));
        Assert.That(ex.Message, Does.Contain("its REAPI name gives (a server that ignored read_offset"));
    }

    [Test]
    public void DownloadAsync_ServerIgnoresReadLimit_ThrowsByteStreamException()
    {
        var (name, _) = AddResource(Size);
        Server.Faults.IgnoreReadLimit = true;
        var destination = new MemoryStream();

        var ex = Assert.ThrowsAsync<ByteStreamException>(() => CreateClient().DownloadAsync(name, destination, new DownloadOptions { Limit = 1000 }).DefaultTimeout());

        Assert.That(ex!.ResourceName, Is.EqualTo(name));
        Assert.That(ex.Message, Does.Contain("read_limit"));
        Assert.That(destination.Length, Is.Zero, "the chunk that crossed the limit is not written");
    }

    [Test]
    public async Task ReadAsync_AfterAProtocolViolation_ThrowsItAgainWithoutAnotherCall()
    {
        var (name, _) = AddResource(Size);
        Server.Faults.IgnoreReadLimit = true;
        await using var stream = CreateClient().OpenRead(name, limit: 10);

        Assert.ThrowsAsync<ByteStreamException>(async () => await stream.ReadAsync(new byte[10]).DefaultTimeout());
        Assert.ThrowsAsync<ByteStreamException>(async () => await stream.ReadAsync(new byte[10]).DefaultTimeout());

        Assert.That(ReadCalls, Has.Count.EqualTo(1));
    }

    [Test]
    public void DownloadAsync_ExpectedLengthLongerThanTheResource_ThrowsByteStreamException()
    {
        var (name, _) = AddResource(Size);

        var ex = Assert.ThrowsAsync<ByteStreamException>(() =>
            CreateClient().DownloadAsync(name, new MemoryStream(), new DownloadOptions { ExpectedLength = Size + 1 }).DefaultTimeout());

        Assert.That(ex!.Message, Does.Contain($"{Size} of the {Size + 1}"));
    }

    [Test]
    public void OpenRead_BadArguments_ThrowBeforeAnyCall()
    {
        var client = CreateClient();

        Assert.Throws<ArgumentNullException>(() => client.OpenRead(null!));
        Assert.Throws<ArgumentException>(() => client.OpenRead(""));
        Assert.Throws<ArgumentOutOfRangeException>(() => client.OpenRead("name", offset: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => client.OpenRead("name", limit: -1));
        Assert.Throws<ArgumentNullException>(() => client.OpenRead("name", (DownloadOptions)null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => client.OpenRead("name", new DownloadOptions { ExpectedLength = -1 }));
        Assert.That(CallsStarted, Is.Zero);
    }

    [Test]
    public void DownloadAsync_BadArguments_ThrowBeforeAnyCall()
    {
        var client = CreateClient();
        var destination = new MemoryStream();

        Assert.Throws<ArgumentNullException>(() => client.DownloadAsync(null!, destination));
        Assert.Throws<ArgumentException>(() => client.DownloadAsync("", destination));
        Assert.Throws<ArgumentNullException>(() => client.DownloadAsync("name", null!));
        Assert.Throws<ArgumentException>(() => client.DownloadAsync("name", new MemoryStream(new byte[4], writable: false)));
        Assert.Throws<ArgumentOutOfRangeException>(() => client.DownloadAsync("name", destination, new DownloadOptions { Offset = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => client.DownloadAsync("name", destination, new DownloadOptions { Limit = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => client.DownloadAsync("name", destination, new DownloadOptions { ExpectedLength = -1 }));
        Assert.That(CallsStarted, Is.Zero);
    }

    [Test]
    public void ReadAllBytesAsync_BadArguments_ThrowBeforeAnyCall()
    {
        var client = CreateClient();

        Assert.Throws<ArgumentNullException>(() => client.ReadAllBytesAsync(null!));
        Assert.Throws<ArgumentException>(() => client.ReadAllBytesAsync(""));
        Assert.That(CallsStarted, Is.Zero);
    }
}
