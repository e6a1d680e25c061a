using Bytestream.Testing;
using Google.ByteStream;
using Grpc.Core;

namespace Bytestream.Client.Tests.Testing;

/// <summary>The test server's records of calls and WriteRequests, and <see cref="ByteStreamTestServer.Reset"/>.</summary>
public class TestServerRecordTests : TestServerFixture
{
    [Test]
    public async Task Calls_SeveralMethods_RecordedInStartOrderWithHeadersAndFinalStatus()
    {
        var headers = new Metadata { { "x-request-id", "abc" }, { "x-token-bin", new byte[] { 1, 2, 3 } } };
        await WriteAsync(Requests("blobs/recorded", TestData.Random(10)), headers);
        await StatusOf(() => ReadMessagesAsync(Client, "blobs/missing", headers: headers));
        await Client.QueryWriteStatusAsync(new QueryWriteStatusRequest { ResourceName = "blobs/recorded" }, headers).ResponseAsync.DefaultTimeout();

        var calls = Server.Calls;

        Assert.Multiple(() =>
        {
            Assert.That(calls.Select(c => c.Method), Is.EqualTo(new[] { ByteStreamMethod.Write, ByteStreamMethod.Read, ByteStreamMethod.QueryWriteStatus }));
            Assert.That(calls.Select(c => c.ResourceName), Is.EqualTo(new[] { "blobs/recorded", "blobs/missing", "blobs/recorded" }));
            Assert.That(calls.Select(c => c.Status), Is.EqualTo(new StatusCode?[] { StatusCode.OK, StatusCode.NotFound, StatusCode.OK }));
            Assert.That(calls.Select(c => c.CallId), Is.Ordered.Ascending.And.Unique);
            Assert.That(calls.Select(c => c.Ended.IsCompleted), Is.All.True);
            Assert.That(calls.Select(c => c.RequestHeaders.GetValue("x-request-id")), Is.All.EqualTo("abc"));
            Assert.That(calls[0].RequestHeaders.GetValueBytes("x-token-bin"), Is.EqualTo(new byte[] { 1, 2, 3 }));
        });
    }

    [Test]
    public async Task WriteRequests_EveryRequest_RecordedAsReceived()
    {
        var requests = Requests("blobs/requests", TestData.Random((2 * Chunk) + 1));
        requests[1].ResourceName = string.Empty;

        await WriteAsync(requests);

        var callId = Server.Calls.Single().CallId;
        Assert.That(Server.WriteRequests, Is.EqualTo(new[]
        {
            new WriteRequestRecord(callId, "blobs/requests", 0, Chunk, false),
            new WriteRequestRecord(callId, string.Empty, Chunk, Chunk, false),
            new WriteRequestRecord(callId, "blobs/requests", 2 * Chunk, 1, true),
        }));
    }

    [Test]
    public async Task Reset_AfterActivity_ForgetsResourcesUploadsFaultsAndRecords()
    {
        Server.SetResource("blobs/set", TestData.Random(10));
        await UploadAsync("blobs/uploaded", TestData.Random(10));
        await WriteAsync(Requests("blobs/partial", TestData.Random(10), finish: false));
        Server.Faults.FailNext(ByteStreamMethod.Write, StatusCode.Internal);
        Server.Faults.IgnoreReadOffset = true;

        Server.Reset();
        var afterReset = await UploadAsync("blobs/after-reset", TestData.Random(10));

        Assert.Multiple(() =>
        {
            Assert.That(Server.TryGetResource("blobs/set", out _), Is.False);
            Assert.That(Server.TryGetResource("blobs/uploaded", out _), Is.False);
            Assert.That(Server.TryGetWriteStatus("blobs/partial", out _, out _), Is.False);
            Assert.That(afterReset.CommittedSize, Is.EqualTo(10), "the armed failure is gone");
            Assert.That(Server.Faults.IgnoreReadOffset, Is.False);
            Assert.That(Server.Calls.Select(c => c.ResourceName), Is.EqualTo(new[] { "blobs/after-reset" }));
            Assert.That(Server.WriteRequests, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task Reset_CallStartedBeforeIt_IsNotRecordedWhenItEndsLater()
    {
        Server.SetResource("blobs/stale", TestData.Random(10));
        Server.Faults.StallNext(ByteStreamMethod.Read, afterBytes: 5);
        using var cancellation = new CancellationTokenSource();
        using var call = Client.Read(new ReadRequest { ResourceName = "blobs/stale" }, cancellationToken: cancellation.Token);
        // The first 5 bytes show that the call has taken the stall (Reset would disarm one not yet taken).
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout(), Is.True);
        Assert.That(call.ResponseStream.Current.Data.Length, Is.EqualTo(5));
        var next = call.ResponseStream.MoveNext(CancellationToken.None);
        var stale = Server.Calls.Single();

        Server.Reset();
        await cancellation.CancelAsync();
        var clientStatus = await StatusOf(() => next.DefaultTimeout());
        await stale.Ended.DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(clientStatus, Is.EqualTo(StatusCode.Cancelled));
            Assert.That(stale.Status, Is.EqualTo(StatusCode.Cancelled));
            Assert.That(Server.Calls, Is.Empty);
        });
    }
}
