using Bytestream.Testing;
using Grpc.Core;
using Stub = Google.ByteStream.ByteStream.ByteStreamClient;

namespace Bytestream.Client.Tests.Testing;

/// <summary>The test server's Read semantics and Read faults.</summary>
public class TestServerReadTests : TestServerFixture
{
    [Test]
    public async Task Read_WholeResource_ReturnsIdenticalBytesInReadChunkSizeMessages()
    {
        var data = TestData.Random((2 * 1024 * 1024) + 5);
        Server.SetResource("blobs/read", data);

        var (messages, read) = await ReadMessagesAsync(Client, "blobs/read");

        Assert.Multiple(() =>
        {
            Assert.That(TestData.Sha256(read), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(messages, Is.EqualTo(new[] { 1024 * 1024, 1024 * 1024, 5 }));
        });
    }

    [Test]
    public async Task Read_SmallReadChunkSize_SendsMessagesOfThatSize()
    {
        await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { ReadChunkSize = 1000 }).DefaultTimeout();
        using var channel = server.CreateChannel();
        var data = TestData.Random(2500);
        server.SetResource("blobs/small-chunks", data);

        var (messages, read) = await ReadMessagesAsync(new Stub(channel), "blobs/small-chunks");

        Assert.Multiple(() =>
        {
            Assert.That(read, Is.EqualTo(data));
            Assert.That(messages, Is.EqualTo(new[] { 1000, 1000, 500 }));
        });
    }

    [Test]
    public async Task Read_OffsetAndLimit_ReturnsThatRange()
    {
        var data = TestData.Random(10_000);
        Server.SetResource("blobs/range", data);

        var fromOffset = await ReadAsync("blobs/range", offset: 9_000);
        var range = await ReadAsync("blobs/range", offset: 100, limit: 250);
        var limitPastEnd = await ReadAsync("blobs/range", offset: 9_990, limit: 1_000);

        Assert.Multiple(() =>
        {
            Assert.That(fromOffset, Is.EqualTo(data[9_000..]));
            Assert.That(range, Is.EqualTo(data[100..350]));
            Assert.That(limitPastEnd, Is.EqualTo(data[9_990..]));
        });
    }

    [Test]
    public async Task Read_OffsetAtEnd_EndsOkWithoutData()
    {
        Server.SetResource("blobs/end", TestData.Random(10));

        var (messages, _) = await ReadMessagesAsync(Client, "blobs/end", offset: 10);

        Assert.That(messages, Is.Empty);
    }

    [Test]
    public async Task Read_InvalidRequests_FailWithTheSpecsStatuses()
    {
        Server.SetResource("blobs/bad", TestData.Random(10));
        await WriteAsync(Requests("blobs/incomplete", TestData.Random(10), finish: false));

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(await StatusOf(() => ReadAsync("blobs/bad", offset: 11)), Is.EqualTo(StatusCode.OutOfRange));
            Assert.That(await StatusOf(() => ReadAsync("blobs/bad", offset: -1)), Is.EqualTo(StatusCode.InvalidArgument));
            Assert.That(await StatusOf(() => ReadAsync("blobs/bad", limit: -1)), Is.EqualTo(StatusCode.InvalidArgument));
            Assert.That(await StatusOf(() => ReadAsync("blobs/missing")), Is.EqualTo(StatusCode.NotFound));
            Assert.That(await StatusOf(() => ReadAsync("blobs/incomplete")), Is.EqualTo(StatusCode.NotFound));
            Assert.That(await StatusOf(() => ReadAsync(string.Empty)), Is.EqualTo(StatusCode.InvalidArgument));
        });
    }

    [Test]
    public async Task CutRead_MidResource_SendsExactlyAfterBytesThenFails()
    {
        var data = TestData.Random(3 * 1024 * 1024);
        Server.SetResource("blobs/cut-read", data);
        Server.Faults.CutRead(1_500_000, StatusCode.Aborted);

        var (received, status) = await ReadUntilFailureAsync("blobs/cut-read");
        var second = await ReadAsync("blobs/cut-read");

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(StatusCode.Aborted));
            Assert.That(TestData.Sha256(received), Is.EqualTo(TestData.Sha256(data.AsSpan(0, 1_500_000))));
            Assert.That(TestData.Sha256(second), Is.EqualTo(TestData.Sha256(data)), "the fault was used up");
        });
    }

    [Test]
    public async Task CutRead_AfterLastByte_SendsEverythingThenFails()
    {
        var data = TestData.Random(5000);
        Server.SetResource("blobs/cut-end", data);
        Server.Faults.CutRead(5000);

        var (received, status) = await ReadUntilFailureAsync("blobs/cut-end");

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(StatusCode.Unavailable));
            Assert.That(received, Is.EqualTo(data));
        });
    }

    [Test]
    public async Task CutRead_MarkBeyondRequestedRange_FailsAtTheEndOfTheRange()
    {
        var data = TestData.Random(5000);
        Server.SetResource("blobs/cut-range", data);
        Server.Faults.CutRead(long.MaxValue);

        var (received, status) = await ReadUntilFailureAsync("blobs/cut-range", offset: 1000, limit: 2000);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(StatusCode.Unavailable));
            Assert.That(received, Is.EqualTo(data[1000..3000]));
        });
    }

    [Test]
    public async Task CutRead_WithOk_EndsTheReadEarlyWithSuccess()
    {
        Server.SetResource("blobs/truncated", TestData.Random(5000));
        Server.Faults.CutRead(1234, StatusCode.OK);

        var read = await ReadAsync("blobs/truncated");

        Assert.That(read, Has.Length.EqualTo(1234));
    }

    [Test]
    public async Task CutRead_ForOneResourceNameAndTimes_CutsOnlyThoseCalls()
    {
        var data = TestData.Random(5000);
        Server.SetResource("blobs/a", data);
        Server.SetResource("blobs/b", data);
        Server.Faults.CutRead(100, times: 2, resourceName: "blobs/b");

        var a = await ReadAsync("blobs/a");
        var first = await StatusOf(() => ReadAsync("blobs/b"));
        var second = await StatusOf(() => ReadAsync("blobs/b"));
        var third = await ReadAsync("blobs/b");

        Assert.Multiple(() =>
        {
            Assert.That(a, Is.EqualTo(data));
            Assert.That(first, Is.EqualTo(StatusCode.Unavailable));
            Assert.That(second, Is.EqualTo(StatusCode.Unavailable));
            Assert.That(third, Is.EqualTo(data));
        });
    }

    [Test]
    public async Task EmptyReadResponsesBeforeEachChunk_SendsKeepAlivesBeforeEveryDataMessage()
    {
        await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { ReadChunkSize = 1000 }).DefaultTimeout();
        using var channel = server.CreateChannel();
        var data = TestData.Random(2500);
        server.SetResource("blobs/keep-alive", data);
        server.Faults.EmptyReadResponsesBeforeEachChunk = 2;

        var (messages, read) = await ReadMessagesAsync(new Stub(channel), "blobs/keep-alive");

        Assert.Multiple(() =>
        {
            Assert.That(messages, Is.EqualTo(new[] { 0, 0, 1000, 0, 0, 1000, 0, 0, 500 }));
            Assert.That(read, Is.EqualTo(data));
        });
    }

    [Test]
    public async Task IgnoreReadOffset_ResumedRead_SendsFromByteZero()
    {
        var data = TestData.Random(5000);
        Server.SetResource("blobs/ignore-offset", data);
        Server.Faults.IgnoreReadOffset = true;

        var read = await ReadAsync("blobs/ignore-offset", offset: 3000);

        Assert.That(read, Is.EqualTo(data));
    }

    [Test]
    public async Task IgnoreReadLimit_LimitedRead_SendsToTheEnd()
    {
        var data = TestData.Random(5000);
        Server.SetResource("blobs/ignore-limit", data);
        Server.Faults.IgnoreReadLimit = true;

        var read = await ReadAsync("blobs/ignore-limit", offset: 1000, limit: 10);

        Assert.That(read, Is.EqualTo(data[1000..]));
    }

    private async Task<(byte[] Received, StatusCode Status)> ReadUntilFailureAsync(string name, long offset = 0, long limit = 0)
    {
        using var call = Client.Read(new Google.ByteStream.ReadRequest { ResourceName = name, ReadOffset = offset, ReadLimit = limit });
        using var received = new MemoryStream();
        try
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout())
            {
                call.ResponseStream.Current.Data.WriteTo(received);
            }
        }
        catch (RpcException exception)
        {
            return (received.ToArray(), exception.StatusCode);
        }

        throw new AssertionException($"The read ended OK after {received.Length} bytes.");
    }
}
