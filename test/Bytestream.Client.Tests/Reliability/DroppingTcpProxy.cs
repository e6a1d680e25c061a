using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Bytestream.Client.Tests.Reliability;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of a server that can drop connections: once a connection has carried
/// a given number of bytes in one direction, both of its sockets are reset, as when a network path or a
/// middlebox dies mid-transfer, or the connection goes silent: both sockets stay open and every byte from
/// then on is swallowed, as when a NAT or a load balancer forgets a connection without telling either end.
/// Connections opened afterwards pass untouched.
/// </summary>
internal sealed class DroppingTcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;
    private long _dropAfter = -1;
    private bool _countServerBytes;
    private bool _silence;
    private int _dropped;

    public DroppingTcpProxy(Uri target)
    {
        _target = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _accepting = AcceptAsync();
    }

    public Uri Address { get; }

    /// <summary>Gets how many connections were dropped.</summary>
    public int Dropped => Volatile.Read(ref _dropped);

    /// <summary>
    /// Drops the first connection (open now or later) that carries more than <paramref name="bytes"/> bytes from the
    /// client (uploads), or from the server when <paramref name="fromServer"/> is set (downloads).
    /// </summary>
    public void DropOnceAfter(long bytes, bool fromServer = false) => Arm(bytes, fromServer, silence: false);

    /// <summary>
    /// Like <see cref="DropOnceAfter"/>, but the connection goes silent instead of being reset: nothing passes either
    /// way any more and neither end is told. <see cref="Dropped"/> counts it.
    /// </summary>
    public void SilenceOnceAfter(long bytes, bool fromServer = false) => Arm(bytes, fromServer, silence: true);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _accepting.ContinueWith(static _ => { }, TaskScheduler.Default);
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections).ContinueWith(static _ => { }, TaskScheduler.Default);
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_connections)
            {
                _connections.Add(ServeAsync(client));
            }
        }
    }

    private void Arm(long bytes, bool fromServer, bool silence)
    {
        Volatile.Write(ref _countServerBytes, fromServer);
        Volatile.Write(ref _silence, silence);
        Interlocked.Exchange(ref _dropAfter, bytes);
    }

    private async Task ServeAsync(Socket client)
    {
        using (client)
        using (var server = new Socket(SocketType.Stream, ProtocolType.Tcp))
        using (var connection = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token))
        {
            try
            {
                client.NoDelay = server.NoDelay = true;
                await server.ConnectAsync(_target, connection.Token);
                var silenced = new StrongBox<bool>();
                var upstream = PumpAsync(client, server, fromServer: false, connection, silenced);
                var downstream = PumpAsync(server, client, fromServer: true, connection, silenced);
                await Task.WhenAny(upstream, downstream);
                await connection.CancelAsync();
                await Task.WhenAll(upstream, downstream).ContinueWith(static _ => { }, TaskScheduler.Default);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException)
            {
                // The connection is over either way.
            }
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool fromServer, CancellationTokenSource connection, StrongBox<bool> silenced)
    {
        var buffer = new byte[64 * 1024];
        long carried = 0;
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, connection.Token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                carried += read;
                var dropAfter = Interlocked.Read(ref _dropAfter);
                if (fromServer == Volatile.Read(ref _countServerBytes) && dropAfter >= 0 && carried > dropAfter
                    && Interlocked.CompareExchange(ref _dropAfter, -1, dropAfter) == dropAfter)
                {
                    Interlocked.Increment(ref _dropped);
                    if (Volatile.Read(ref _silence))
                    {
                        Volatile.Write(ref silenced.Value, true);
                        continue;
                    }

                    // Reset, not close: the peers see the connection die, as on a broken path.
                    from.LingerState = to.LingerState = new LingerOption(true, 0);
                    from.Close();
                    to.Close();
                    return;
                }

                if (!Volatile.Read(ref silenced.Value))
                {
                    await to.SendAsync(buffer.AsMemory(0, read), connection.Token);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The other direction ended the connection.
        }
    }
}
