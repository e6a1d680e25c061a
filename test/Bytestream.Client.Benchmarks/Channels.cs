using Grpc.Net.Client;

namespace Bytestream.Client.Benchmarks;

/// <summary>The client's channel: gRPC's defaults, or with the HTTP/2 receive window given by --client-window.</summary>
internal static class Channels
{
    /// <summary>The client's initial HTTP/2 stream receive window in bytes; null keeps SocketsHttpHandler's default.</summary>
    public static int? ReceiveWindow { get; set; }

    public static GrpcChannel Create(string address) => ReceiveWindow is { } window
        ? GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { InitialHttp2StreamWindowSize = window, EnableMultipleHttp2Connections = true },
        })
        : GrpcChannel.ForAddress(address);
}
