// CopyToRemote: a file goes to a ByteStream server with Stream.CopyToAsync into ByteStreamClient.OpenWrite,
// and comes back with CopyToAsync from OpenRead; the two files' SHA-256 must match.
//
//   dotnet run --project samples/CopyToRemote                      (an embedded test server)
//   dotnet run --project samples/CopyToRemote -- --address URL     (any ByteStream server)
using System.Security.Cryptography;
using Bytestream.Client;
using Bytestream.Testing;
using Grpc.Net.Client;

if (args is not ([] or ["--address", _]))
{
    Console.Error.WriteLine("usage: CopyToRemote [--address http://host:port]");
    return 2;
}

await using var embedded = args is [] ? await ByteStreamTestServer.StartAsync() : null;
using var channel = embedded?.CreateChannel() ?? GrpcChannel.ForAddress(args[1]);
var client = new ByteStreamClient(channel);
Console.WriteLine($"CopyToRemote: server {(embedded is null ? args[1] : $"{embedded.Address} (embedded)")}");

var work = Directory.CreateTempSubdirectory("copy-to-remote-");
try
{
    var original = Path.Combine(work.FullName, "original.bin");
    var copy = Path.Combine(work.FullName, "copy.bin");
    await File.WriteAllBytesAsync(original, RandomNumberGenerator.GetBytes(8 * 1024 * 1024 + 123));
    var name = $"samples/copy-to-remote/{Guid.NewGuid()}";

    // Up: whatever CopyToAsync writes goes out in chunks; CompleteAsync sends finish_write and checks
    // that the server committed every byte (disposing the stream would do the same).
    UploadResult result;
    await using (var source = File.OpenRead(original))
    await using (var upload = client.OpenWrite(name))
    {
        await source.CopyToAsync(upload);
        result = await upload.CompleteAsync();
    }

    // Down: the Read call starts at the first read; a cut read continues where it stopped.
    await using (var download = client.OpenRead(name))
    await using (var target = File.Create(copy))
    {
        await download.CopyToAsync(target);
    }

    var sent = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(original)));
    var received = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(copy)));
    if (sent != received)
    {
        Console.Error.WriteLine($"CopyToRemote: MISMATCH: sent {sent}, received {received}");
        return 1;
    }

    Console.WriteLine($"CopyToRemote: copied {result.CommittedSize:N0} bytes to {name} and back; SHA-256 match: {received}");
    return 0;
}
finally
{
    work.Delete(recursive: true);
}
