using Bytestream.Client.Tests.Infrastructure;
using Bytestream.Testing;
using Google.ByteStream;
using Grpc.Core;
using Grpc.Net.Client;
using Stub = Google.ByteStream.ByteStream.ByteStreamClient;

namespace Bytestream.Client.Tests.Testing;

/// <summary>The faults that apply to any method: failing the next calls, and stalling them until the client gives up.</summary>
public class TestServerCallFaultTests : TestServerFixture
{
    /// <summary>The deadline of a call that the server stalls (counted from the server's receipt of the call): the call outlives it.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromMilliseconds(200);

    [Test]
    public async Task FailNext_Read_FailsThatManyCallsThenReadsNormally()
    {
        var data = TestData.Random(100);
        Server.SetResource("blobs/fail-read", data);
        Server.Faults.FailNext(ByteStreamMethod.Read, StatusCode.Unavailable, times: 2);

        var first = await StatusOf(() => ReadAsync("blobs/fail-read"));
        var second = await StatusOf(() => ReadAsync("blobs/fail-read"));
        var third = await ReadAsync("blobs/fail-read");

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(StatusCode.Unavailable));
            Assert.That(second, Is.EqualTo(StatusCode.Unavailable));
            Assert.That(third, Is.EqualTo(data));
        });
    }

    [Test]
    public async Task FailNext_Write_FailsAfterTheFirstRequestAndStoresNothing()
    {
        var data = TestData.Random(4 * Chunk);
        Server.Faults.FailNext(ByteStreamMethod.Write, StatusCode.ResourceExhausted);

        var status = await StatusOf(() => UploadAsync("blobs/fail-write", data));
        var failedCallRequests = Server.WriteRequests.Count;
        await UploadAsync("blobs/fail-write", data);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(StatusCode.ResourceExhausted));
            Assert.That(failedCallRequests, Is.EqualTo(1), "the failed call read only its first request");
            Assert.That(TestData.Sha256(Stored("blobs/fail-write")), Is.EqualTo(TestData.Sha256(data)));
        });
    }

    [Test]
    public async Task FailNext_QueryWriteStatusForOneName_FailsOnlyThatName()
    {
        await WriteAsync(Requests("blobs/q1", TestData.Random(10), finish: false));
        await WriteAsync(Requests("blobs/q2", TestData.Random(20), finish: false));
        Server.Faults.FailNext(ByteStreamMethod.QueryWriteStatus, StatusCode.Internal, resourceName: "blobs/q2");

        var other = await QueryAsync("blobs/q1");
        var failed = await StatusOf(() => QueryAsync("blobs/q2"));
        var again = await QueryAsync("blobs/q2");

        Assert.Multiple(() =>
        {
            Assert.That(other, Is.EqualTo((10L, false)));
            Assert.That(failed, Is.EqualTo(StatusCode.Internal));
            Assert.That(again, Is.EqualTo((20L, false)));
        });
    }

    [Test]
    public async Task StallNext_Read_SendsAfterBytesThenHangsUntilTheClientCancels()
    {
        Server.SetResource("blobs/stall-read", TestData.Random(5000));
        Server.Faults.StallNext(ByteStreamMethod.Read, afterBytes: 1000);
        using var cancellation = new CancellationTokenSource();
        using var call = Client.Read(new ReadRequest { ResourceName = "blobs/stall-read" }, cancellationToken: cancellation.Token);

        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout(), Is.True);
        var firstMessage = call.ResponseStream.Current.Data.Length;
        var next = call.ResponseStream.MoveNext(CancellationToken.None);
        await cancellation.CancelAsync();
        var status = await StatusOf(() => next.DefaultTimeout());
        await Server.Calls[0].Ended.DefaultTimeout();

        // A server that moved on would have sent the other 4000 bytes and ended the call OK by itself.
        Assert.Multiple(() =>
        {
            Assert.That(firstMessage, Is.EqualTo(1000));
            Assert.That(status, Is.EqualTo(StatusCode.Cancelled), "no message after the first");
            Assert.That(Server.Calls[0].Status, Is.EqualTo(StatusCode.Cancelled), "the call was still stalled when the client cancelled");
        });
    }

    [Test]
    public async Task StallNext_ReadWithDeadline_EndsWithDeadlineExceeded()
    {
        Server.SetResource("blobs/stall-deadline", TestData.Random(10));
        Server.Faults.StallNext(ByteStreamMethod.Read);

        using var channel = Server.CreateChannel(new GrpcChannelOptions { HttpHandler = new ServerOnlyDeadline(Deadline), DisposeHttpClient = true });

        var status = await StatusOf(async () =>
        {
            using var call = new Stub(channel).Read(new ReadRequest { ResourceName = "blobs/stall-deadline" });
            await call.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout();
        });
        await Server.Calls[0].Ended.DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(StatusCode.DeadlineExceeded));
            Assert.That(Server.Calls[0].Status, Is.EqualTo(StatusCode.DeadlineExceeded));
        });
    }

    [Test]
    public async Task StallNext_Write_CommitsExactlyAfterBytesAndReadsNothingMore()
    {
        Server.Faults.StallNext(ByteStreamMethod.Write, afterBytes: Chunk + 10);
        using var cancellation = new CancellationTokenSource();
        using var call = Client.Write(cancellationToken: cancellation.Token);

        foreach (var request in Requests("blobs/stall-write", TestData.Random(3 * Chunk)))
        {
            await call.RequestStream.WriteAsync(request).DefaultTimeout();
        }

        await call.RequestStream.CompleteAsync().DefaultTimeout();
        // The second request crosses the stall point; the server records it before it takes the stall.
        await Eventually.UntilAsync(() => Server.WriteRequests.Count >= 2, "the request that crosses the stall point");
        await cancellation.CancelAsync();
        var status = await StatusOf(() => call.ResponseAsync.DefaultTimeout());
        await Server.Calls[0].Ended.DefaultTimeout();

        // Every request was sent and the stream completed: a server that moved on would have read and finished it.
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(StatusCode.Cancelled));
            Assert.That(Server.Calls[0].Status, Is.EqualTo(StatusCode.Cancelled), "the call was still stalled when the client cancelled");
            Assert.That(TrueStatus("blobs/stall-write"), Is.EqualTo((Chunk + 10L, false)));
            Assert.That(Server.WriteRequests, Has.Count.EqualTo(2), "nothing is read after the stall point");
        });
    }

    [Test]
    public async Task StallNext_WriteThatWouldFinishEarlier_StallsBeforeFinishing()
    {
        Server.Faults.StallNext(ByteStreamMethod.Write, afterBytes: 10 * Chunk);

        using var channel = Server.CreateChannel(new GrpcChannelOptions { HttpHandler = new ServerOnlyDeadline(Deadline), DisposeHttpClient = true });

        var status = await StatusOf(async () =>
        {
            using var call = new Stub(channel).Write();
            foreach (var request in Requests("blobs/stall-finish", TestData.Random(Chunk)))
            {
                await call.RequestStream.WriteAsync(request).DefaultTimeout();
            }

            await call.ResponseAsync.DefaultTimeout();
        });
        await Server.Calls[0].Ended.DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(StatusCode.DeadlineExceeded));
            Assert.That(Server.TryGetResource("blobs/stall-finish", out _), Is.False);
            Assert.That(TrueStatus("blobs/stall-finish"), Is.EqualTo(((long)Chunk, false)));
        });
    }

    [Test]
    public async Task StallNext_QueryWriteStatus_HangsUntilTheClientCancels()
    {
        await WriteAsync(Requests("blobs/stall-query", TestData.Random(10), finish: false));
        Server.Faults.StallNext(ByteStreamMethod.QueryWriteStatus);
        using var cancellation = new CancellationTokenSource();
        using var call = Client.QueryWriteStatusAsync(new QueryWriteStatusRequest { ResourceName = "blobs/stall-query" }, cancellationToken: cancellation.Token);

        // The server records the query, then takes the stall without waiting for anything in between.
        await Eventually.UntilAsync(() => Server.Calls.Any(c => c.Method == ByteStreamMethod.QueryWriteStatus), "the server to receive the query");
        var query = Server.Calls.Single(c => c.Method == ByteStreamMethod.QueryWriteStatus);
        await cancellation.CancelAsync();
        var status = await StatusOf(() => call.ResponseAsync.DefaultTimeout());
        await query.Ended.DefaultTimeout();
        var next = await QueryAsync("blobs/stall-query");

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(StatusCode.Cancelled));
            Assert.That(query.Status, Is.EqualTo(StatusCode.Cancelled), "the query was still stalled when the client cancelled");
            Assert.That(next, Is.EqualTo((10L, false)), "the stall was used up");
        });
    }

    [Test]
    public async Task DisposeAsync_WithStalledCall_EndsTheCallItselfInsteadOfWaitingOutTheShutdownTimeout()
    {
        var server = await ByteStreamTestServer.StartAsync().DefaultTimeout();
        using var channel = server.CreateChannel();
        server.SetResource("blobs/stall-dispose", TestData.Random(10));
        server.Faults.StallNext(ByteStreamMethod.Read, afterBytes: 5);
        using var call = new Stub(channel).Read(new ReadRequest { ResourceName = "blobs/stall-dispose" });
        // The first 5 bytes show that the call has taken the stall.
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout(), Is.True);
        var stalled = server.Calls.Single();
        var next = call.ResponseStream.MoveNext(CancellationToken.None);

        await server.DisposeAsync().DefaultTimeout();
        var error = Assert.ThrowsAsync<RpcException>(() => next.DefaultTimeout());

        // A call left to the host is aborted after its shutdown timeout: the client gets a reset stream, not this status.
        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
            Assert.That(error.Status.Detail, Is.EqualTo("The test server is stopping."));
            Assert.That(stalled.Status, Is.EqualTo(StatusCode.Unavailable));
        });
    }

    /// <summary>
    /// Sends a deadline (grpc-timeout) that only the server keeps. With a client-side deadline, the client cancels at
    /// that moment too, and its cancellation can reach the server before the server's own deadline passes.
    /// </summary>
    private sealed class ServerOnlyDeadline(TimeSpan deadline) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.TryAddWithoutValidation("grpc-timeout", $"{(long)deadline.TotalMilliseconds}m");
            return base.SendAsync(request, cancellationToken);
        }
    }
}
