using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Bytestream.Client.Tests;

/// <summary>
/// A server on 127.0.0.1 that is not a gRPC server, counting the connections clients open to it:
/// Kestrel speaking only HTTP/1.1 (it answers the HTTP/2 preface with HTTP_1_1_REQUIRED), or a plain
/// socket that answers anything with an HTTP/1.0 error page, as <c>python3 -m http.server</c> does, or with random bytes.
/// </summary>
public sealed class NotGrpcServer : IAsyncDisposable
{
    private readonly WebApplication? _kestrel;
    private readonly TcpListener? _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting = Task.CompletedTask;
    private readonly byte[] _answer = [];
    private readonly bool _answerAtOnce;
    private int _connections;

    private NotGrpcServer(WebApplication kestrel, Uri address)
    {
        _kestrel = kestrel;
        Address = address;
    }

    private NotGrpcServer(TcpListener listener, byte[] answer, bool answerAtOnce)
    {
        _listener = listener;
        _answer = answer;
        _answerAtOnce = answerAtOnce;
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
        _accepting = AcceptAsync();
    }

    /// <summary>Gets the server's <c>http://127.0.0.1:PORT</c> address.</summary>
    public Uri Address { get; }

    /// <summary>Gets how many connections clients opened.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Starts Kestrel with HTTP/1.1 only.</summary>
    public static async Task<NotGrpcServer> StartHttp11Async()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        NotGrpcServer? server = null;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            listen.Use(next => connection =>
            {
                Interlocked.Increment(ref server!._connections);
                return next(connection);
            });
        }));
        var app = builder.Build();
        app.MapGet("/", () => "not gRPC");
        await app.StartAsync();
        server = new NotGrpcServer(app, new Uri(app.Urls.First()));
        return server;
    }

    /// <summary>Starts a socket that answers every connection with an HTTP/1.0 400 page and closes it.</summary>
    public static NotGrpcServer StartHttp10() =>
        StartAnswering(Encoding.ASCII.GetBytes("HTTP/1.0 400 Bad request version ('HTTP/2.0')\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: 9\r\n\r\nbad thing"));

    /// <summary>
    /// Starts a socket that answers every connection with <paramref name="length"/> random bytes (from <paramref name="seed"/>)
    /// and closes it: after the client's first bytes, or, <paramref name="atOnce"/>, as soon as it accepts the connection.
    /// </summary>
    public static NotGrpcServer StartRandomBytes(int seed, int length = 4096, bool atOnce = false)
    {
        var answer = new byte[length];
        new Random(seed).NextBytes(answer);
        return StartAnswering(answer, atOnce);
    }

    private static NotGrpcServer StartAnswering(byte[] answer, bool atOnce = false)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new NotGrpcServer(listener, answer, atOnce);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener?.Stop();
        await _accepting.ConfigureAwait(false);
        if (_kestrel is not null)
        {
            await _kestrel.DisposeAsync();
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener!.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            using (socket)
            {
                var request = new byte[4096];
                try
                {
                    if (!_answerAtOnce)
                    {
                        _ = await socket.ReceiveAsync(request, SocketFlags.None, _stop.Token);
                    }

                    await socket.SendAsync(_answer, SocketFlags.None, _stop.Token);
                    socket.Shutdown(SocketShutdown.Both);
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException)
                {
                    // The client went away first: the count is what the tests check.
                }
            }
        }
    }
}
