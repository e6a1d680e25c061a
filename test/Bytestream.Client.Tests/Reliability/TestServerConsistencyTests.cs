using Bytestream.Client.Tests.Infrastructure;
using Bytestream.Testing;
using Google.ByteStream;
using Google.Protobuf;
using Grpc.Core;

namespace Bytestream.Client.Tests.Reliability;

/// <summary>
/// The test server's honest faults must stay honest: a fault schedule that finds a "protocol violation"
/// must have found one in the client, not in the server.
/// </summary>
[Category("Reliability")]
public class TestServerConsistencyTests : ServerTestBase
{
    [Test]
    public async Task CommitLag_QueryWhileTheCallRuns_NeverReportsMoreThanTheCutCallKeeps()
    {
        // Seed 1140: QueryWriteStatus reported 371 bytes during a stalled call, then 0 after the client
        // cancelled it (CommitLag 5000): committed sizes went backwards on a server meant to be honest.
        Server.Faults.CommitLag = 5000;
        Server.Faults.StallNext(ByteStreamMethod.Write, afterBytes: 7000);
        var stub = new ByteStream.ByteStreamClient(Channel);
        using var cancel = new CancellationTokenSource();
        using var call = stub.Write(cancellationToken: cancel.Token);
        await call.RequestStream.WriteAsync(new WriteRequest { ResourceName = "rel/lag", Data = ByteString.CopyFrom(TestData.Random(8000)) }).DefaultTimeout();
        await PollAsync(() => Server.TryGetWriteStatus("rel/lag", out var committed, out _) && committed > 0);

        var during = await stub.QueryWriteStatusAsync(new QueryWriteStatusRequest { ResourceName = "rel/lag" }).ResponseAsync.DefaultTimeout();
        await cancel.CancelAsync();
        Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.DefaultTimeout());
        await PollAsync(() => Server.Calls.Where(c => c.Method == ByteStreamMethod.Write).All(c => c.Status is not null));
        var after = await stub.QueryWriteStatusAsync(new QueryWriteStatusRequest { ResourceName = "rel/lag" }).ResponseAsync.DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(during.CommittedSize, Is.EqualTo(2000), "7000 received less the lag");
            Assert.That(after.CommittedSize, Is.EqualTo(2000), "what was reported stays committed");
        });
    }

    private static Task PollAsync(Func<bool> condition, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(condition))] string what = "") =>
        Eventually.UntilAsync(condition, what);
}
