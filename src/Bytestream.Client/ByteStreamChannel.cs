using Grpc.Net.Client;

namespace Bytestream.Client;

/// <summary>
/// Channels set up for ByteStream transfers: large blobs over long links, on connections that live for hours.
/// <c>AddByteStreamClient</c> and the <c>bytestream</c> tool build their channels with
/// these settings; a caller that builds its own channel gets them from <see cref="ForAddress(Uri, Action{GrpcChannelOptions}?)"/>
/// or <see cref="CreateHttpHandler"/>.
/// </summary>
/// <remarks>
/// <para>What each setting is for, and what it was measured against, is in docs/configuration.md:</para>
/// <list type="bullet">
/// <item><description>an HTTP/2 stream receive window of <see cref="DefaultStreamWindowSize"/> from the first byte, so a cold
/// download fills a 1 Gbit/s link with 100 ms of round trip instead of growing its window from 64 KiB;</description></item>
/// <item><description>more HTTP/2 connections when a server's limit of concurrent streams is reached, instead of queueing calls;</description></item>
/// <item><description>keepalive pings every <see cref="DefaultKeepAlivePingDelay"/>, also while calls are active, so a connection
/// that died silently (a NAT or a load balancer forgot it) fails within <see cref="DefaultKeepAlivePingTimeout"/> and the
/// transfer resumes on a new one;</description></item>
/// <item><description>a <see cref="DefaultConnectTimeout"/> to open a connection (TCP and TLS);</description></item>
/// <item><description>reconnection after a failed connect at most <see cref="DefaultMaxReconnectBackoff"/> apart (gRPC's default
/// backs off to 2 minutes), so the client's next retry reaches a server that has restarted.</description></item>
/// </list>
/// </remarks>
public static class ByteStreamChannel
{
    /// <summary>The HTTP/2 stream receive window of the handler: 16 MiB, the most <see cref="SocketsHttpHandler"/> allows by default.</summary>
    public const int DefaultStreamWindowSize = 16 * 1024 * 1024;

    /// <summary>Gets how long a connection may be quiet before the handler sends a keepalive ping: 30 s.</summary>
    public static TimeSpan DefaultKeepAlivePingDelay { get; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets how long the handler waits for a keepalive ping's answer before it closes the connection: 10 s.</summary>
    public static TimeSpan DefaultKeepAlivePingTimeout { get; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets how long the handler tries to open a connection (TCP connect and TLS handshake): 10 s.</summary>
    public static TimeSpan DefaultConnectTimeout { get; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets the delay before the channel first tries again to connect after a failed connect: 250 ms.</summary>
    public static TimeSpan DefaultInitialReconnectBackoff { get; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Gets the longest delay between the channel's attempts to connect: 1 s.</summary>
    public static TimeSpan DefaultMaxReconnectBackoff { get; } = TimeSpan.FromSeconds(1);

    /// <summary>Creates an HTTP handler with the settings above, for a channel or an <see cref="HttpClient"/> of the caller's.</summary>
    /// <returns>A new handler; the channel or client that uses it should dispose it.</returns>
    public static SocketsHttpHandler CreateHttpHandler() => new()
    {
        InitialHttp2StreamWindowSize = DefaultStreamWindowSize,
        EnableMultipleHttp2Connections = true,
        KeepAlivePingDelay = DefaultKeepAlivePingDelay,
        KeepAlivePingTimeout = DefaultKeepAlivePingTimeout,
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
        ConnectTimeout = DefaultConnectTimeout,
    };

    /// <summary>
    /// Creates a channel to <paramref name="address"/> with the settings above: a handler from <see cref="CreateHttpHandler"/>
    /// (disposed with the channel) and the reconnect backoff; <paramref name="configure"/> may change any of them.
    /// </summary>
    /// <param name="address">The server, <c>http://host:port</c> (h2c) or <c>https://host:port</c>.</param>
    /// <param name="configure">Changes the channel's options after the defaults are set: credentials, message limits,
    /// a handler of the caller's (configure <see cref="GrpcChannelOptions.HttpHandler"/>, a <see cref="SocketsHttpHandler"/>, in place
    /// to keep the rest).</param>
    /// <returns>A new channel; dispose it when done.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is <see langword="null"/>.</exception>
    public static GrpcChannel ForAddress(Uri address, Action<GrpcChannelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        var handler = CreateHttpHandler();
        var options = new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true };
        ApplyReconnectBackoff(options);
        configure?.Invoke(options);
        if (!ReferenceEquals(options.HttpHandler, handler))
        {
            // The caller brought a handler (or an HttpClient) of its own: this one is not used.
            handler.Dispose();
        }

        return GrpcChannel.ForAddress(address, options);
    }

    /// <summary>
    /// Creates a channel to the server at <paramref name="address"/>, written as text, with the settings above, like
    /// <see cref="ForAddress(Uri, Action{GrpcChannelOptions}?)"/>.
    /// </summary>
    /// <param name="address">The server, <c>http://host:port</c> (h2c) or <c>https://host:port</c>; for another scheme (a gRPC
    /// resolver such as <c>dns:///</c>), pass a <see cref="Uri"/>.</param>
    /// <param name="configure">Changes the channel's options after the defaults are set, as in <see cref="ForAddress(Uri, Action{GrpcChannelOptions}?)"/>.</param>
    /// <returns>A new channel; dispose it when done.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="address"/> is not an absolute <c>http://</c> or <c>https://</c> URL
    /// (for example <c>localhost:8980</c>, which has no scheme).</exception>
    public static GrpcChannel ForAddress(string address, Action<GrpcChannelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException(
                $"'{address}' is not a server address: expected an http:// (h2c) or https:// (TLS) URL such as http://localhost:8980.",
                nameof(address));
        }

        return ForAddress(uri, configure);
    }

    /// <summary>Sets the channel's reconnect backoff to the defaults above.</summary>
    internal static void ApplyReconnectBackoff(GrpcChannelOptions options)
    {
        options.InitialReconnectBackoff = DefaultInitialReconnectBackoff;
        options.MaxReconnectBackoff = DefaultMaxReconnectBackoff;
    }
}
