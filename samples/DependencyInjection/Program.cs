// DependencyInjection: a generic-host application that registers ByteStreamClient with
// AddByteStreamClient (Grpc.Net.ClientFactory underneath) and gets it injected into its own service.
//
//   dotnet run --project samples/DependencyInjection                      (an embedded test server)
//   dotnet run --project samples/DependencyInjection -- --address URL     (any ByteStream server)
using System.Security.Cryptography;
using Bytestream.Client;
using Bytestream.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

if (args is not ([] or ["--address", _]))
{
    Console.Error.WriteLine("usage: DependencyInjection [--address http://host:port]");
    return 2;
}

await using var embedded = args is [] ? await ByteStreamTestServer.StartAsync() : null;
var address = embedded?.Address ?? new Uri(args[1]);

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddByteStreamClient(
    grpc => grpc.Address = address,
    options => options.ChunkSize = 256 * 1024);
builder.Services.AddTransient<BuildLogArchive>();
using var host = builder.Build();
await host.StartAsync();

var archive = host.Services.GetRequiredService<BuildLogArchive>();
var log = RandomNumberGenerator.GetBytes(3 * 1024 * 1024);
var name = await archive.StoreAsync(log, CancellationToken.None);
var back = await archive.LoadAsync(name, CancellationToken.None);
await host.StopAsync();

if (!back.AsSpan().SequenceEqual(log))
{
    Console.Error.WriteLine("DependencyInjection: MISMATCH: the archive returned different bytes");
    return 1;
}

Console.WriteLine($"DependencyInjection: the injected ByteStreamClient stored {log.Length:N0} bytes at {address} as {name} and read them back; SHA-256 match: {Convert.ToHexStringLower(SHA256.HashData(back))}");
return 0;

/// <summary>An application service that only knows it needs a <see cref="ByteStreamClient"/>; the container supplies it.</summary>
internal sealed partial class BuildLogArchive(ByteStreamClient client, ILogger<BuildLogArchive> logger)
{
    public async Task<string> StoreAsync(byte[] log, CancellationToken cancellationToken)
    {
        var name = $"samples/build-logs/{Guid.NewGuid()}";
        var result = await client.UploadAsync(name, log, cancellationToken: cancellationToken);
        LogStored(logger, result.CommittedSize, name, result.Resumes);
        return name;
    }

    public Task<byte[]> LoadAsync(string name, CancellationToken cancellationToken) => client.ReadAllBytesAsync(name, cancellationToken);

    [LoggerMessage(1, LogLevel.Information, "Stored {Bytes} bytes as {Name} with {Resumes} resumes.")]
    private static partial void LogStored(ILogger logger, long bytes, string name, int resumes);
}
