using System.Security.Cryptography;
using Bytestream.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Bytestream.Client.Tests.DependencyInjection;

/// <summary>A client resolved from a generic host talks to the in-process server through the gRPC client factory.</summary>
public class AddByteStreamClientRoundTripTests
{
    private ByteStreamTestServer _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await ByteStreamTestServer.StartAsync().DefaultTimeout();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync().DefaultTimeout();

    [Test]
    public async Task ResolvedClient_UploadThenRead_ReturnsSameBytes()
    {
        var data = RandomNumberGenerator.GetBytes(3 * 65536 + 123);
        var calls = new CallCounter();
        using var host = BuildHost(calls);
        var client = host.Services.GetRequiredService<ByteStreamClient>();
        const string ResourceName = "dependency-injection/round-trip";

        var result = await client.UploadAsync(ResourceName, data).DefaultTimeout();
        var read = await client.ReadAllBytesAsync(ResourceName).DefaultTimeout();

        Assert.That(result.CommittedSize, Is.EqualTo(data.Length));
        Assert.That(SHA256.HashData(read), Is.EqualTo(SHA256.HashData(data)));
        Assert.That(_server.TryGetResource(ResourceName, out var stored), Is.True);
        Assert.That(SHA256.HashData(stored), Is.EqualTo(SHA256.HashData(data)));
        Assert.That(calls.Calls, Is.GreaterThanOrEqualTo(2), "the calls go through the factory's interceptors");
    }

    [Test]
    public async Task ResolvedClient_ReapiReadName_ReadsStoredBlob()
    {
        var data = RandomNumberGenerator.GetBytes(100_000);
        var name = new BlobResourceName("ci/main", Convert.ToHexStringLower(SHA256.HashData(data)), data.Length);
        _server.SetResource(name.ToReadResourceName(), data);
        using var host = BuildHost(new CallCounter());
        var client = host.Services.GetRequiredService<ByteStreamClient>();

        var read = await client.ReadAllBytesAsync(name.ToReadResourceName()).DefaultTimeout();

        Assert.That(Convert.ToHexStringLower(SHA256.HashData(read)), Is.EqualTo(name.Hash));
    }

    private IHost BuildHost(CallCounter calls)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services
            .AddByteStreamClient(o => o.Address = _server.Address, o => o.ChunkSize = 65536)
            .AddInterceptor(() => calls);
        return builder.Build();
    }
}
