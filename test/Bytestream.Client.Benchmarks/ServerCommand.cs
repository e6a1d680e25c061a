using Bytestream.Testing;

namespace Bytestream.Client.Benchmarks;

/// <summary>
/// The benchmark's server process: a <see cref="ByteStreamTestServer"/> that prints its address and
/// runs until its standard input closes, so measuring it costs the client process nothing.
/// </summary>
internal static class ServerCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        long? cutEvery = null;
        var options = new ByteStreamTestServerOptions();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--null":
                    options.DiscardData = true;
                    break;
                case "--cut-every" when i + 1 < args.Length:
                    cutEvery = long.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                default:
                    Console.Error.WriteLine($"server: unknown option {args[i]}");
                    return 2;
            }
        }

        await using var server = await ByteStreamTestServer.StartAsync(options);
        if (cutEvery is { } bytes)
        {
            server.Faults.CutWrite(bytes, times: int.MaxValue);
        }

        Console.WriteLine($"listening on {server.Address}");
        await Console.In.ReadToEndAsync();
        return 0;
    }
}
