using System.Net.Sockets;
using Grpc.Net.Client;

namespace Bytestream.Client.Benchmarks;

/// <summary>The client's channel: <see cref="ByteStreamChannel"/>'s settings (what the library ships), or with the HTTP/2 receive window given by --client-window.</summary>
internal static class Channels
{
    /// <summary>The client's initial HTTP/2 stream receive window in bytes; null keeps <see cref="ByteStreamChannel.DefaultStreamWindowSize"/>.</summary>
    public static int? ReceiveWindow { get; set; }

    public static GrpcChannel Create(string address) => ByteStreamChannel.ForAddress(new Uri(address), options =>
    {
        if (ReceiveWindow is { } window)
        {
            ((SocketsHttpHandler)options.HttpHandler!).InitialHttp2StreamWindowSize = window;
        }
    });

    /// <summary>A channel whose connections count the bytes they carry (HTTP/2 framing included): what a transfer put on the wire.</summary>
    public static GrpcChannel CreateCounting(string address, WireCounter counter)
    {
        var handler = ByteStreamChannel.CreateHttpHandler();
        handler.ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new CountingStream(new NetworkStream(socket, ownsSocket: true), counter);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
        if (ReceiveWindow is { } window)
        {
            handler.InitialHttp2StreamWindowSize = window;
        }

        return GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler });
    }

    /// <summary>Bytes read from and written to the sockets of one channel, over all its connections.</summary>
    internal sealed class WireCounter
    {
        private long _received;
        private long _sent;

        public long Received => Interlocked.Read(ref _received);

        public long Sent => Interlocked.Read(ref _sent);

        public void AddReceived(int count) => Interlocked.Add(ref _received, count);

        public void AddSent(int count) => Interlocked.Add(ref _sent, count);
    }

    /// <summary>Passes everything through to the socket's stream and counts it; HTTP/2 uses only the Memory overloads.</summary>
    private sealed class CountingStream(Stream inner, WireCounter counter) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            counter.AddReceived(read);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            counter.AddReceived(read);
            return read;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            counter.AddSent(buffer.Length);
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            counter.AddSent(buffer.Length);
            inner.Write(buffer);
        }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
