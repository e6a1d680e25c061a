using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Bytestream.Testing.Internal;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bytestream.Testing;

/// <summary>
/// An in-process <c>google.bytestream.ByteStream</c> server for tests: Kestrel serving gRPC over
/// HTTP/2 without TLS (h2c) on 127.0.0.1 and a free port, in-memory resources with the protocol's
/// resumable-write semantics (or files under <see cref="ByteStreamTestServerOptions.StorageDirectory"/>, on
/// the address, port and TLS certificate its options give), fault injection (<see cref="Faults"/>) and records of every call
/// (<see cref="Calls"/>, <see cref="WriteRequests"/>).
/// </summary>
/// <remarks>
/// <para>
/// Write: the first request of a call must name the resource; its <c>write_offset</c> may be anything
/// from 0 to the committed size (a lower one truncates the upload: resending; unless
/// <see cref="ByteStreamTestServerOptions.RequireWriteOffsetAtCommittedSize"/>), above it is <c>FAILED_PRECONDITION</c>; later requests must be contiguous and keep the name (<c>INVALID_ARGUMENT</c>).
/// Bytes are committed as they arrive. <c>finish_write</c> stores the resource; a request after it is
/// <c>INVALID_ARGUMENT</c>; a call that ends without it answers OK with the committed size, and the upload
/// can be resumed. QueryWriteStatus reports an upload in progress as (committed, false), a stored resource
/// as (size, true), and anything else as <c>NOT_FOUND</c>.
/// </para>
/// <para>
/// Read: <c>NOT_FOUND</c> for unknown or unfinished resources, <c>INVALID_ARGUMENT</c> for a negative
/// offset or limit, <c>OUT_OF_RANGE</c> for an offset past the end, an empty OK stream at the end; data in
/// <see cref="ByteStreamTestServerOptions.ReadChunkSize"/> messages.
/// </para>
/// <para>All members are thread-safe. Start one server per test fixture and <see cref="Reset"/> it between tests.</para>
/// </remarks>
/// <example>
/// <code>
/// await using var server = await ByteStreamTestServer.StartAsync();
/// server.SetResource("blobs/abc/3", new byte[] { 1, 2, 3 });
/// using var channel = server.CreateChannel();
/// // ... run the code under test against the channel, then check server.Calls or server.TryGetResource(...).
/// </code>
/// </example>
public sealed class ByteStreamTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ResourceStore _store;
    private readonly CallLog _log;
    private readonly CancellationTokenSource _stopping;
    private readonly X509Certificate2? _certificate;
    private int _disposed;

    private ByteStreamTestServer(
        WebApplication app, ResourceStore store, CallLog log, ByteStreamFaults faults, CancellationTokenSource stopping, Uri address, X509Certificate2? certificate)
    {
        _app = app;
        _store = store;
        _log = log;
        Faults = faults;
        _stopping = stopping;
        Address = address;
        _certificate = certificate;
    }

    /// <summary>Gets the server's address, <c>http://127.0.0.1:{port}</c>, for channels made without <see cref="CreateChannel()"/>.</summary>
    /// <value>
    /// <c>https://</c> when the options give a <see cref="ByteStreamTestServerOptions.ServerCertificate"/>; the host is
    /// <see cref="ByteStreamTestServerOptions.ListenAddress"/>, or the loopback address of its family when that is
    /// <see cref="IPAddress.Any"/> or <see cref="IPAddress.IPv6Any"/>; the port is the one the server listens on.
    /// </value>
    public Uri Address { get; }

    /// <summary>Gets the fault injection of this server; faults apply to calls that start after they are armed.</summary>
    public ByteStreamFaults Faults { get; }

    /// <summary>Gets a snapshot of every call received so far (since the last <see cref="Reset"/>), in start order.</summary>
    /// <value>A new list on every get; each record's <see cref="ByteStreamCallRecord.Status"/> stays live.</value>
    public IReadOnlyList<ByteStreamCallRecord> Calls => _log.GetCalls();

    /// <summary>Gets a snapshot of every <c>WriteRequest</c> received so far (since the last <see cref="Reset"/>), in arrival order.</summary>
    /// <value>A new list on every get.</value>
    public IReadOnlyList<WriteRequestRecord> WriteRequests => _log.GetWriteRequests();

    /// <summary>Starts a server with the default <see cref="ByteStreamTestServerOptions"/>.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server; dispose it to stop it.</returns>
    public static Task<ByteStreamTestServer> StartAsync(CancellationToken cancellationToken = default) =>
        StartAsync(new ByteStreamTestServerOptions(), cancellationToken);

    /// <summary>Starts a server on 127.0.0.1 and a free port, or where <paramref name="options"/> say.</summary>
    /// <param name="options">The server's settings; copied, so later changes to the instance have no effect.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server; dispose it to stop it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The <see cref="ByteStreamTestServerOptions.ServerCertificate"/> has no private key.</exception>
    /// <exception cref="IOException">
    /// The <see cref="ByteStreamTestServerOptions.StorageDirectory"/> cannot be created or read, or the port is in use.
    /// </exception>
    public static async Task<ByteStreamTestServer> StartAsync(ByteStreamTestServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Clone();
        var certificate = settings.ServerCertificate;
        if (certificate is { HasPrivateKey: false })
        {
            throw new ArgumentException("The server certificate has no private key, so it cannot serve TLS.", nameof(options));
        }

        if (settings.DiscardData && settings.StorageDirectory is not null)
        {
            throw new ArgumentException("DiscardData and StorageDirectory cannot be combined: a discarding server stores nothing.", nameof(options));
        }

        if (settings.DiscardData && settings.VerifyUploadDigests)
        {
            throw new ArgumentException("DiscardData and VerifyUploadDigests cannot be combined: a discarding server keeps no bytes to check.", nameof(options));
        }

        ResourceStorage storage = settings.StorageDirectory is { } directory ? new FileStorage(directory)
            : settings.DiscardData ? new DiscardStorage()
            : new MemoryStorage();
        var store = new ResourceStore(settings.MapUploadNamesToBlobs, storage);
        var log = new CallLog();
        var faults = new ByteStreamFaults();
        var stopping = new CancellationTokenSource();

        // The empty builder reads no configuration files or environment variables (a user's
        // appsettings.json must not move the server) and starts fast; logging has no providers unless given.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(ByteStreamTestServer).Assembly.GetName().Name,
        });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(settings.ListenAddress, settings.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });

            // Large windows let uploads fill long links instead of waiting a round trip for each WINDOW_UPDATE.
            kestrel.Limits.Http2.InitialConnectionWindowSize = settings.Http2ConnectionWindowSize;
            kestrel.Limits.Http2.InitialStreamWindowSize = settings.Http2StreamWindowSize;
            kestrel.Limits.Http2.MaxStreamsPerConnection = settings.MaxStreamsPerConnection;

            // Stalls are injected on purpose; Kestrel must not end slow calls by itself.
            kestrel.Limits.MinRequestBodyDataRate = null;
            kestrel.Limits.MinResponseDataRate = null;
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
        if (settings.LoggerFactory is not null)
        {
            builder.Services.AddSingleton(settings.LoggerFactory);
        }

        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = settings.MaxReceiveMessageSize;
            grpc.MaxSendMessageSize = null;
            grpc.EnableDetailedErrors = true;
        });
        var profile = new ProfileBehavior(settings.Profile);
        builder.Services.AddSingleton(profile);
        builder.Services.AddSingleton(new ByteStreamService(store, faults, log, settings, profile, stopping.Token));

        var app = builder.Build();
        if (profile.DropsWriteResponses)
        {
            app.Use(ProfileBehavior.DropWriteResponsesAsync);
        }

        app.MapGrpcService<ByteStreamService>();
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            stopping.Dispose();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        var port = new Uri(address).Port;
        var host = settings.ListenAddress.Equals(IPAddress.Any) ? IPAddress.Loopback
            : settings.ListenAddress.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
            : settings.ListenAddress;
        var scheme = certificate is null ? Uri.UriSchemeHttp : Uri.UriSchemeHttps;
        return new ByteStreamTestServer(app, store, log, faults, stopping, new UriBuilder(scheme, host.ToString(), port).Uri, certificate);
    }

    /// <summary>Creates a gRPC channel to this server (h2c) with gRPC's default settings; dispose it when done.</summary>
    /// <returns>
    /// A new channel with a handler of its own (disposed with the channel); it opens more HTTP/2 connections
    /// when more than 100 calls run at once. With a <see cref="ByteStreamTestServerOptions.ServerCertificate"/> it
    /// speaks TLS and trusts exactly that certificate.
    /// </returns>
    public GrpcChannel CreateChannel()
    {
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        if (_certificate is { } trusted)
        {
            // A test certificate is self-signed and rarely names 127.0.0.1: trust this one certificate, nothing else.
            handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, errors) =>
                errors == SslPolicyErrors.None || (presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(trusted.RawData));
        }

        return GrpcChannel.ForAddress(Address, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }

    /// <summary>Creates a gRPC channel to this server (h2c) with the caller's settings (handler, message limits, ...); dispose it when done.</summary>
    /// <param name="options">The channel's settings, passed to <see cref="GrpcChannel.ForAddress(Uri, GrpcChannelOptions)"/>.</param>
    /// <returns>A new channel.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    public GrpcChannel CreateChannel(GrpcChannelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return GrpcChannel.ForAddress(Address, options);
    }

    /// <summary>
    /// Stores a complete resource, replacing any with that name; an upload in progress under the name is
    /// left alone (it replaces the resource if it finishes).
    /// </summary>
    /// <param name="resourceName">The resource name; not empty.</param>
    /// <param name="data">The content; copied.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="resourceName"/> is <see langword="null"/> or empty, or (with a
    /// <see cref="ByteStreamTestServerOptions.StorageDirectory"/>) does not map to a path inside it.
    /// </exception>
    public void SetResource(string resourceName, ReadOnlyMemory<byte> data)
    {
        ArgumentException.ThrowIfNullOrEmpty(resourceName);
        if (_store.GetInvalidNameReason(resourceName) is { } reason)
        {
            throw new ArgumentException($"The resource name '{resourceName}' cannot be stored under the server's directory: {reason}.", nameof(resourceName));
        }

        _store.SetResource(resourceName, data.ToArray());
    }

    /// <summary>Gets a copy of a complete resource: one stored by <see cref="SetResource"/> or by a finished upload.</summary>
    /// <param name="resourceName">The resource name.</param>
    /// <param name="data">A copy of the content, or an empty array when there is no complete resource of that name.</param>
    /// <returns><see langword="true"/> when the resource exists and is complete.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="resourceName"/> is <see langword="null"/>.</exception>
    public bool TryGetResource(string resourceName, out byte[] data)
    {
        ArgumentNullException.ThrowIfNull(resourceName);
        if (_store.TryGetResource(resourceName, out var stored))
        {
            data = stored.ToArray();
            return true;
        }

        data = [];
        return false;
    }

    /// <summary>
    /// Gets the server's true state of an upload, whatever <see cref="ByteStreamFaults.QueryWriteStatusMode"/> says:
    /// (committed size, false) while it is in progress, (size, true) for a stored resource.
    /// </summary>
    /// <param name="resourceName">The resource name.</param>
    /// <param name="committedSize">The committed size, or 0 when the name is unknown.</param>
    /// <param name="complete">Whether the resource is complete.</param>
    /// <returns><see langword="false"/> when the name was never written (or the upload was reset) and no resource is stored.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="resourceName"/> is <see langword="null"/>.</exception>
    public bool TryGetWriteStatus(string resourceName, out long committedSize, out bool complete)
    {
        ArgumentNullException.ThrowIfNull(resourceName);
        return _store.TryGetWriteStatus(resourceName, out committedSize, out complete, out _);
    }

    /// <summary>
    /// Forgets every resource, upload, fault and record, as a fresh server would have none. Calls still
    /// running (say, from the previous test) cannot write any more (they fail with <c>ABORTED</c> on their
    /// next request), take no faults armed afterwards, and do not appear in <see cref="Calls"/> or
    /// <see cref="WriteRequests"/> when they end.
    /// </summary>
    public void Reset()
    {
        _store.Clear();
        Faults.Clear();
        _log.Clear();
        _app.Services.GetRequiredService<ProfileBehavior>().Clear();
    }

    /// <summary>
    /// Stops the server: calls still running (stalled ones included) end with <c>UNAVAILABLE</c> or are
    /// aborted, and the port is released. Calling it again does nothing.
    /// </summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _app.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            _stopping.Dispose();
        }
    }
}
