using Grpc.Net.ClientFactory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Bytestream.Client.Tests.DependencyInjection;

/// <summary>How AddByteStreamClient hands options to the clients it creates; no call is made, so no server is needed.</summary>
public class AddByteStreamClientOptionsTests
{
    // Nothing listens here: these tests only build clients.
    private static readonly Uri UnusedAddress = new("http://127.0.0.1:1");

    [Test]
    public void AddByteStreamClient_BoundConfiguration_ReachesClient()
    {
        var builder = CreateBuilder(new Dictionary<string, string?>
        {
            ["ByteStream:ChunkSize"] = "65536",
            ["ByteStream:MaxRetryAttempts"] = "2",
            ["ByteStream:StallTimeout"] = "00:00:07",
            ["ByteStream:MaxReplayBufferSize"] = "1048576",
        });
        builder.Services.Configure<ByteStreamClientOptions>(builder.Configuration.GetSection("ByteStream"));
        builder.Services.AddByteStreamClient(o => o.Address = UnusedAddress);
        using var host = builder.Build();

        var client = host.Services.GetRequiredService<ByteStreamClient>();

        var options = client.Core.Options;
        Assert.Multiple(() =>
        {
            Assert.That(options.ChunkSize, Is.EqualTo(65536));
            Assert.That(options.MaxRetryAttempts, Is.EqualTo(2));
            Assert.That(options.StallTimeout, Is.EqualTo(TimeSpan.FromSeconds(7)));
            Assert.That(options.MaxReplayBufferSize, Is.EqualTo(1048576));
            Assert.That(options.InitialBackoff, Is.EqualTo(new ByteStreamClientOptions().InitialBackoff));
        });
    }

    [Test]
    public void AddByteStreamClient_ConfigureOptions_RunsAfterBoundConfiguration()
    {
        var builder = CreateBuilder(new Dictionary<string, string?>
        {
            ["ByteStream:ChunkSize"] = "65536",
            ["ByteStream:MaxRetryAttempts"] = "2",
        });
        builder.Services.Configure<ByteStreamClientOptions>(builder.Configuration.GetSection("ByteStream"));
        builder.Services.AddByteStreamClient(o => o.Address = UnusedAddress, o => o.MaxRetryAttempts = 9);
        using var host = builder.Build();

        var client = host.Services.GetRequiredService<ByteStreamClient>();

        Assert.That(client.Core.Options.MaxRetryAttempts, Is.EqualTo(9));
        Assert.That(client.Core.Options.ChunkSize, Is.EqualTo(65536));
    }

    [Test]
    public void AddByteStreamClient_NoOptions_UsesDefaults()
    {
        var builder = CreateBuilder([]);
        builder.Services.AddByteStreamClient(o => o.Address = UnusedAddress);
        using var host = builder.Build();

        var client = host.Services.GetRequiredService<ByteStreamClient>();

        Assert.That(client.Core.Options.ChunkSize, Is.EqualTo(ByteStreamClientOptions.DefaultChunkSize));
        Assert.That(client.Core.Options.StallTimeout, Is.EqualTo(TimeSpan.FromSeconds(60)));
    }

    [Test]
    public void AddByteStreamClient_NoLoggerFactoryInOptions_UsesContainerLoggerFactoryWithoutChangingOptions()
    {
        var builder = CreateBuilder([]);
        builder.Services.AddByteStreamClient(o => o.Address = UnusedAddress);
        using var host = builder.Build();

        var client = host.Services.GetRequiredService<ByteStreamClient>();

        Assert.That(client.Core.Options.LoggerFactory, Is.SameAs(host.Services.GetRequiredService<ILoggerFactory>()));
        Assert.That(host.Services.GetRequiredService<IOptionsMonitor<ByteStreamClientOptions>>().CurrentValue.LoggerFactory, Is.Null);
    }

    [Test]
    public void AddByteStreamClient_LoggerFactoryInOptions_KeepsIt()
    {
        var builder = CreateBuilder([]);
        builder.Services.AddByteStreamClient(o => o.Address = UnusedAddress, o => o.LoggerFactory = NullLoggerFactory.Instance);
        using var host = builder.Build();

        var client = host.Services.GetRequiredService<ByteStreamClient>();

        Assert.That(client.Core.Options.LoggerFactory, Is.SameAs(NullLoggerFactory.Instance));
    }

    [Test]
    public void AddByteStreamClient_ResolvedTwice_GivesClientsWithEqualButSeparateOptions()
    {
        var builder = CreateBuilder([]);
        builder.Services.AddByteStreamClient(o => o.Address = UnusedAddress, o => o.ChunkSize = 4096);
        using var host = builder.Build();

        var first = host.Services.GetRequiredService<ByteStreamClient>();
        var second = host.Services.GetRequiredService<ByteStreamClient>();

        Assert.That(second, Is.Not.SameAs(first));
        Assert.That(second.Core.Options, Is.Not.SameAs(first.Core.Options));
        Assert.That(second.Core.Options.ChunkSize, Is.EqualTo(4096));
    }

    [Test]
    public void AddByteStreamClient_Always_ReturnsBuilderOfTheTypedClient()
    {
        var services = new ServiceCollection();

        var builder = services.AddByteStreamClient(o => o.Address = UnusedAddress);

        Assert.That(builder.Name, Is.EqualTo(nameof(ByteStreamClient)));
        Assert.That(services.Any(d => d.ServiceType == typeof(ByteStreamClient)), Is.True);
    }

    [Test]
    public void AddByteStreamClient_NullArguments_ThrowArgumentNullException()
    {
        var services = new ServiceCollection();

        Assert.Throws<ArgumentNullException>(() => ByteStreamServiceCollectionExtensions.AddByteStreamClient(null!, o => o.Address = UnusedAddress));
        Assert.Throws<ArgumentNullException>(() => services.AddByteStreamClient((Action<GrpcClientFactoryOptions>)null!));
    }

    [Test]
    public void AddByteStreamClient_InvalidBoundValue_FailsWhenClientIsResolved()
    {
        var builder = CreateBuilder(new Dictionary<string, string?> { ["ByteStream:ChunkSize"] = "0" });
        builder.Services.Configure<ByteStreamClientOptions>(builder.Configuration.GetSection("ByteStream"));
        builder.Services.AddByteStreamClient(o => o.Address = UnusedAddress);
        using var host = builder.Build();

        var ex = Assert.Catch(() => host.Services.GetRequiredService<ByteStreamClient>());

        // The binder wraps the setter's exception in a TargetInvocationException.
        var rangeError = ex!.GetBaseException() as ArgumentOutOfRangeException;
        Assert.That(rangeError, Is.Not.Null, ex.ToString());
        Assert.That(rangeError!.ParamName, Is.EqualTo(nameof(ByteStreamClientOptions.ChunkSize)));
    }

    private static HostApplicationBuilder CreateBuilder(Dictionary<string, string?> configuration)
    {
        // No appsettings, environment variables or command line: only what the test puts in.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(configuration);
        return builder;
    }
}
