using Bytestream.Client.Tests.Infrastructure;
using Google.ByteStream;
using Grpc.Core;
using static Bytestream.Client.Tests.Write.UploadTests;

namespace Bytestream.Client.Tests.Write;

/// <summary>The upload session against scripted Write calls: call endings a real server cannot be made to produce on cue.</summary>
public class UploadSessionTests
{
    private const int Chunk = 1000;

    [Test]
    public async Task Upload_CallEndsWhileARequestWriteWaits_TheWriteEndsAndTheUploadResumes([Values] Source source)
    {
        // The server ends the first call with UNAVAILABLE while the client's second request waits for flow
        // control: with no stall timeout, only the call's status can end that wait.
        var data = TestData.Random(3 * Chunk);
        var cut = ScriptedWriteCall.EndsWithStatusWhileAWriteHangs(requests: 1, StatusCode.Unavailable);
        var resumed = ScriptedWriteCall.Accepting();
        var invoker = new ScriptedWriteInvoker(cut, resumed)
            .ThenStatus(() => new QueryWriteStatusResponse { CommittedSize = Chunk });
        var client = new ByteStreamClient(invoker, new ByteStreamClientOptions { ChunkSize = Chunk, InitialBackoff = TimeSpan.Zero });

        var result = await UploadAsync(client, source, "blobs/hang", data).DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(cut.Cancelled, Is.True, "the hanging write ended through the call's cancellation");
            Assert.That(result.Resumes, Is.EqualTo(1));
            Assert.That(result.CommittedSize, Is.EqualTo(data.Length));
            Assert.That(resumed.Requests[0].WriteOffset, Is.EqualTo(Chunk));
            Assert.That(Sha256(cut.Requests.Take(1).Concat(resumed.Requests)), Is.EqualTo(TestData.Sha256(data)));
        });
    }

    [Test]
    public void Upload_CallEndsWithAFatalStatusWhileAWriteWaits_ThrowsThatStatus()
    {
        var cut = ScriptedWriteCall.EndsWithStatusWhileAWriteHangs(requests: 1, StatusCode.PermissionDenied);
        var client = new ByteStreamClient(new ScriptedWriteInvoker(cut), new ByteStreamClientOptions { ChunkSize = Chunk });

        var error = Assert.ThrowsAsync<RpcException>(() => client.UploadAsync("blobs/denied", TestData.Random(3 * Chunk)).DefaultTimeout());

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.PermissionDenied));
    }

    [Test]
    public async Task Upload_CallerCancelsAsASendCompletes_ThrowsOperationCanceled([Values] Source source)
    {
        // The send the caller's cancellation raced with still completed, so the upload found the call ended
        // with no error in hand: it threw ArgumentNullException ("Value cannot be null. (Parameter 'source')").
        using var caller = new CancellationTokenSource();
        var call = ScriptedWriteCall.CancelsTheCallerAt(requests: 1, caller);
        var client = new ByteStreamClient(new ScriptedWriteInvoker(call), new ByteStreamClientOptions { ChunkSize = Chunk });

        var error = Assert.CatchAsync<OperationCanceledException>(() => UploadAsync(client, source, "blobs/cancelled", TestData.Random(3 * Chunk), cancellationToken: caller.Token).DefaultTimeout());

        Assert.Multiple(() =>
        {
            Assert.That(error!.CancellationToken, Is.EqualTo(caller.Token));
            Assert.That(call.Cancelled, Is.True, "the call was cancelled");
            Assert.That(call.Requests.Where(r => r.FinishWrite), Is.Empty, "nothing finished");
        });
    }

    private static string Sha256(IEnumerable<WriteRequest> requests) => TestData.Sha256(requests.SelectMany(r => r.Data.ToByteArray()).ToArray());
}
