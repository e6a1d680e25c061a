using Bytestream.Testing;
using Google.ByteStream;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Stub = Google.ByteStream.ByteStream.ByteStreamClient;

namespace Bytestream.Client.Tests.Testing;

/// <summary>
/// Base of the test server's own tests: one server per fixture (reset before each test) driven through
/// the raw generated stub, so the server is checked without the client library in between.
/// </summary>
public abstract class TestServerFixture
{
    protected const int Chunk = 16 * 1024;

    private GrpcChannel _channel = null!;

    protected ByteStreamTestServer Server { get; private set; } = null!;

    private protected Stub Client { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartTestServerAsync()
    {
        Server = await ByteStreamTestServer.StartAsync().DefaultTimeout();
        _channel = Server.CreateChannel();
        Client = new Stub(_channel);
    }

    [OneTimeTearDown]
    public async Task StopTestServerAsync()
    {
        _channel?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync().DefaultTimeout();
        }
    }

    [SetUp]
    public void ResetTestServer() => Server.Reset();

    /// <summary>The requests of one Write call: <paramref name="data"/> from <paramref name="offset"/> in chunks, the name on every request.</summary>
    private protected static List<WriteRequest> Requests(string name, ReadOnlyMemory<byte> data, long offset = 0, bool finish = true, int chunk = Chunk)
    {
        var requests = new List<WriteRequest>();
        var position = 0;
        do
        {
            var count = Math.Min(chunk, data.Length - position);
            requests.Add(new WriteRequest
            {
                ResourceName = name,
                WriteOffset = offset + position,
                Data = UnsafeByteOperations.UnsafeWrap(data.Slice(position, count)),
            });
            position += count;
        }
        while (position < data.Length);

        requests[^1].FinishWrite = finish;
        return requests;
    }

    /// <summary>Sends <paramref name="requests"/> in one Write call and returns the response, or throws the call's <see cref="RpcException"/>.</summary>
    private protected static async Task<WriteResponse> WriteAsync(Stub client, IEnumerable<WriteRequest> requests, Metadata? headers = null)
    {
        using var call = client.Write(headers);
        try
        {
            foreach (var request in requests)
            {
                await call.RequestStream.WriteAsync(request).DefaultTimeout();
            }

            await call.RequestStream.CompleteAsync().DefaultTimeout();
        }
        catch (Exception exception) when (exception is RpcException or InvalidOperationException or IOException)
        {
            // The server ended the call before reading everything: its status says how.
        }

        return await call.ResponseAsync.DefaultTimeout();
    }

    private protected Task<WriteResponse> WriteAsync(IEnumerable<WriteRequest> requests, Metadata? headers = null) => WriteAsync(Client, requests, headers);

    /// <summary>Uploads <paramref name="data"/> in one finished Write call from offset 0.</summary>
    private protected Task<WriteResponse> UploadAsync(string name, ReadOnlyMemory<byte> data, int chunk = Chunk) =>
        WriteAsync(Requests(name, data, chunk: chunk));

    /// <summary>Reads with one Read call and returns the data messages' sizes and their bytes; throws the call's <see cref="RpcException"/>.</summary>
    private protected static async Task<(List<int> Messages, byte[] Data)> ReadMessagesAsync(Stub client, string name, long offset = 0, long limit = 0, Metadata? headers = null)
    {
        using var call = client.Read(new ReadRequest { ResourceName = name, ReadOffset = offset, ReadLimit = limit }, headers);
        var messages = new List<int>();
        using var data = new MemoryStream();
        while (await call.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout())
        {
            messages.Add(call.ResponseStream.Current.Data.Length);
            call.ResponseStream.Current.Data.WriteTo(data);
        }

        return (messages, data.ToArray());
    }

    protected async Task<byte[]> ReadAsync(string name, long offset = 0, long limit = 0) =>
        (await ReadMessagesAsync(Client, name, offset, limit)).Data;

    protected async Task<(long CommittedSize, bool Complete)> QueryAsync(string name)
    {
        var response = await Client.QueryWriteStatusAsync(new QueryWriteStatusRequest { ResourceName = name }).ResponseAsync.DefaultTimeout();
        return (response.CommittedSize, response.Complete);
    }

    /// <summary>The status code <paramref name="action"/> fails with; fails the test when it succeeds.</summary>
    protected static async Task<StatusCode> StatusOf(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (RpcException exception)
        {
            return exception.StatusCode;
        }

        throw new AssertionException("Expected the call to fail with an RpcException, but it succeeded.");
    }

    protected (long CommittedSize, bool Complete) TrueStatus(string name)
    {
        Assert.That(Server.TryGetWriteStatus(name, out var committed, out var complete), Is.True, $"the server knows no upload '{name}'");
        return (committed, complete);
    }

    protected byte[] Stored(string name)
    {
        Assert.That(Server.TryGetResource(name, out var data), Is.True, $"'{name}' is not a complete resource");
        return data;
    }
}
