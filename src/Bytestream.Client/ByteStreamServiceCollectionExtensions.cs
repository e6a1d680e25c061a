using Bytestream.Client;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="ByteStreamClient"/> with dependency injection, through the gRPC client factory.</summary>
public static class ByteStreamServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ByteStreamClient"/> as a typed gRPC client (<c>AddGrpcClient</c> of Grpc.Net.ClientFactory),
    /// so that it is injected with a channel the factory manages (pooled HTTP handlers, interceptors, call credentials).
    /// </summary>
    /// <remarks>
    /// <para>
    /// Each resolved client takes its settings from <see cref="IOptionsMonitor{TOptions}"/> of
    /// <see cref="ByteStreamClientOptions"/> at the time it is created, so they can also come from configuration:
    /// <c>services.Configure&lt;ByteStreamClientOptions&gt;(configuration.GetSection("ByteStream"))</c>.
    /// <paramref name="configureOptions"/> runs after configuration registered before this call.
    /// When <see cref="ByteStreamClientOptions.LoggerFactory"/> is not set, the client logs to the container's
    /// <see cref="ILoggerFactory"/>.
    /// </para>
    /// <para>
    /// The channel gets the settings of <see cref="ByteStreamChannel"/>: a 16 MiB HTTP/2 receive window, more connections when
    /// a server's stream limit is reached, keepalive pings, a connect timeout and a short reconnect backoff. Calls on the
    /// returned builder replace them: <c>ConfigurePrimaryHttpMessageHandler</c> a handler of the caller's, <c>ConfigureChannel</c>
    /// the backoff.
    /// </para>
    /// <para>Do not enable the channel's own retries (a service config) for this client: the client resumes
    /// transfers itself, which gRPC retries cannot do for a large Write.</para>
    /// </remarks>
    /// <example>
    /// <code>
    /// services.AddByteStreamClient(
    ///     o => o.Address = new Uri("http://cache.example:8980"),
    ///     o => o.ChunkSize = 256 * 1024)
    ///   .AddCallCredentials((context, metadata) => { metadata.Add("authorization", "Bearer ..."); return Task.CompletedTask; });
    /// </code>
    /// </example>
    /// <param name="services">The service collection.</param>
    /// <param name="configureClient">Configures the gRPC client: at least <see cref="GrpcClientFactoryOptions.Address"/>.</param>
    /// <param name="configureOptions">Configures the client's <see cref="ByteStreamClientOptions"/>; <see langword="null"/> keeps the defaults and any bound configuration.</param>
    /// <returns>The builder of the client's <see cref="HttpClient"/>, to add handlers, interceptors or call credentials.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configureClient"/> is <see langword="null"/>.</exception>
    public static IHttpClientBuilder AddByteStreamClient(
        this IServiceCollection services,
        Action<GrpcClientFactoryOptions> configureClient,
        Action<ByteStreamClientOptions>? configureOptions = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configureClient);

        services.AddOptions<ByteStreamClientOptions>();
        if (configureOptions is not null)
        {
            services.Configure(configureOptions);
        }

        // The defaults come first: the caller's builder calls (ConfigurePrimaryHttpMessageHandler, ConfigureChannel) run after them.
        return services
            .AddGrpcClient<ByteStreamClient>(configureClient)
            .ConfigurePrimaryHttpMessageHandler(ByteStreamChannel.CreateHttpHandler)
            .ConfigureChannel(ByteStreamChannel.ApplyReconnectBackoff)
            .ConfigureGrpcClientCreator(static (serviceProvider, callInvoker) =>
                new ByteStreamClient(callInvoker, ResolveOptions(serviceProvider)));
    }

    private static ByteStreamClientOptions ResolveOptions(IServiceProvider serviceProvider)
    {
        var options = serviceProvider.GetRequiredService<IOptionsMonitor<ByteStreamClientOptions>>().CurrentValue;
        if (options.LoggerFactory is not null || serviceProvider.GetService<ILoggerFactory>() is not { } loggerFactory)
        {
            return options;
        }

        // The monitor's instance is shared by every client it creates: set the logger on a copy.
        var withLogger = options.Clone();
        withLogger.LoggerFactory = loggerFactory;
        return withLogger;
    }
}
