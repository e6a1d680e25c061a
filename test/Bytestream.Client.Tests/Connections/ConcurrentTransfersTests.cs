using System.Diagnostics;
using Bytestream.Client.Tests.Infrastructure;
using Bytestream.Testing;
using Grpc.Net.Client;

namespace Bytestream.Client.Tests.Connections;

/// <summary>
/// 256 transfers at once on one client, against a server that lets a connection carry 100 calls at a time (Kestrel's
/// default): nothing hangs, every blob arrives intact, and the throughput is printed. With <see cref="ByteStreamChannel"/>
/// the handler opens more connections; with a single connection the calls wait their turn.
/// </summary>
/// <remarks>
/// Below 100 streams per connection, .NET's handler is the limit (docs/configuration.md): it opens up to 100 streams on a
/// new connection before the server's SETTINGS arrive, the server refuses the rest, and the handler resends refused
/// client-streaming calls with an empty body. The raw generated stub fails the same way.
/// </remarks>
[Category("Connections")]
public class ConcurrentTransfersTests : ServerTestBase
{
    private const int Transfers = 256;
    private const int StreamLimit = 100;
    private const int Size = 256 * 1024;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    protected override ByteStreamTestServerOptions ServerOptions => new() { MaxStreamsPerConnection = StreamLimit };

    [Test]
    public async Task Upload256AtOnce_MoreThanTheStreamLimit_AllArriveIntact([Values] bool multipleConnections)
    {
        using var channel = CreateChannel(multipleConnections);
        var client = new ByteStreamClient(channel);
        var blobs = Enumerable.Range(0, Transfers).Select(i => TestData.Random(Size, seed: i)).ToArray();

        var watch = Stopwatch.StartNew();
        var results = await Task.WhenAll(blobs.Select(blob => client.UploadAsync(TestData.BlobName(blob), blob))).WaitAsync(Bound);
        Report("uploads", watch.Elapsed, multipleConnections);

        Assert.Multiple(() =>
        {
            Assert.That(results.Select(r => r.CommittedSize), Is.All.EqualTo(Size));
            Assert.That(blobs.Select(blob => TestData.Sha256(StoredResource(TestData.BlobName(blob)))), Is.EqualTo(blobs.Select(blob => TestData.Sha256(blob))));
            AssertConnections(ByteStreamMethod.Write, multipleConnections);
        });
    }

    [Test]
    public async Task Download256AtOnce_MoreThanTheStreamLimit_AllArriveIntact([Values] bool multipleConnections)
    {
        using var channel = CreateChannel(multipleConnections);
        var client = new ByteStreamClient(channel);
        var blobs = Enumerable.Range(0, Transfers).Select(i => TestData.Random(Size, seed: i)).ToArray();
        foreach (var blob in blobs)
        {
            Server.SetResource(TestData.BlobName(blob), blob);
        }

        var watch = Stopwatch.StartNew();
        var received = await Task.WhenAll(blobs.Select(async blob =>
        {
            var destination = new MemoryStream();
            await client.DownloadAsync(TestData.BlobName(blob), destination);
            return destination.ToArray();
        })).WaitAsync(Bound);
        Report("downloads", watch.Elapsed, multipleConnections);

        Assert.Multiple(() =>
        {
            Assert.That(received.Select(bytes => TestData.Sha256(bytes)), Is.EqualTo(blobs.Select(blob => TestData.Sha256(blob))));
            AssertConnections(ByteStreamMethod.Read, multipleConnections);
        });
    }

    private GrpcChannel CreateChannel(bool multipleConnections) => ByteStreamChannel.ForAddress(
        Server.Address,
        options => ((SocketsHttpHandler)options.HttpHandler!).EnableMultipleHttp2Connections = multipleConnections);

    private static void Report(string what, TimeSpan elapsed, bool multipleConnections) =>
        TestContext.Out.WriteLine(
            $"{Transfers} {what} of {Size / 1024} KiB, {StreamLimit} streams per connection, {(multipleConnections ? "more connections" : "one connection")}: " +
            $"{elapsed.TotalSeconds:0.00} s, {Transfers * (double)Size / elapsed.TotalSeconds / 1e6:0} MB/s");

    private void AssertConnections(ByteStreamMethod method, bool multipleConnections)
    {
        var connections = Server.Calls.Where(c => c.Method == method).Select(c => c.ConnectionId).Distinct().Count();
        if (multipleConnections)
        {
            Assert.That(connections, Is.GreaterThan(1), "the handler opened more connections when the stream limit was reached");
        }
        else
        {
            Assert.That(connections, Is.EqualTo(1), "every call waited for a stream on the one connection");
        }
    }
}
