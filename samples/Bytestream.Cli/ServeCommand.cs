using System.CommandLine;
using System.Net;
using System.Text.Json.Nodes;
using Bytestream.Testing;
using Microsoft.Extensions.Logging;

namespace Bytestream.Cli;

/// <summary>
/// <c>bytestream serve</c>: a ByteStream server for trying clients out, the test server of Bytestream.Testing
/// with its full resumable-write semantics, its resources and partial uploads kept as files under --root
/// (so a partial upload survives a restart), optionally over TLS. Runs until Ctrl+C or SIGTERM.
/// </summary>
internal static class ServeCommand
{
    public const int DefaultPort = 8980;

    public static Command Create()
    {
        var port = new Option<int>("--port", "-p")
        {
            Description = $"The TCP port; 0 picks a free one (the address is printed).",
            HelpName = "N",
            DefaultValueFactory = _ => DefaultPort,
        };
        port.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 0 or > IPEndPoint.MaxPort)
            {
                result.AddError($"--port must be 0 to {IPEndPoint.MaxPort}");
            }
        });
        var root = new Option<DirectoryInfo?>("--root")
        {
            Description = "Keep resources as files under DIR (created if missing; files already there, and files added while it runs, are served). Resource a/b is DIR/a/b; names that would leave DIR are refused. Default: in memory only.",
            HelpName = "DIR",
        };
        var listen = new Option<IPAddress>("--listen")
        {
            Description = "The address to listen on, e.g. 0.0.0.0 for every interface.",
            HelpName = "ADDRESS",
            DefaultValueFactory = _ => IPAddress.Loopback,
            CustomParser = result =>
            {
                if (IPAddress.TryParse(result.Tokens[^1].Value, out var address))
                {
                    return address;
                }

                result.AddError($"--listen must be an IP address such as 127.0.0.1 or ::1, not '{result.Tokens[^1].Value}'");
                return IPAddress.Loopback;
            },
        };
        var cert = new Option<FileInfo?>("--cert")
        {
            Description = "Serve TLS (https://) with this certificate: a .pfx/.p12 file, or PEM with its key in --key or in the same file.",
            HelpName = "FILE",
        };
        var key = new Option<FileInfo?>("--key") { Description = "The PEM private key of a PEM --cert.", HelpName = "FILE" };
        var password = new Option<string?>("--cert-password")
        {
            Description = "The password of a .pfx --cert. Default: $BYTESTREAM_CERT_PASSWORD.",
            HelpName = "PASSWORD",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("BYTESTREAM_CERT_PASSWORD"),
        };
        var streamWindow = WindowOption(
            "--stream-window",
            "The HTTP/2 receive window of each call, e.g. 32M: an upload moves at most about one window per round trip.",
            ByteStreamTestServerOptions.DefaultHttp2StreamWindowSize);
        var connectionWindow = WindowOption(
            "--connection-window",
            "The HTTP/2 receive window of each connection, shared by its calls, e.g. 64M.",
            ByteStreamTestServerOptions.DefaultHttp2ConnectionWindowSize);
        var maxStreams = new Option<int>("--max-streams")
        {
            Description = "The most calls one HTTP/2 connection may carry at once; clients open more connections or wait.",
            HelpName = "N",
            DefaultValueFactory = _ => new ByteStreamTestServerOptions().MaxStreamsPerConnection,
        };
        maxStreams.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--max-streams must be 1 or more");
            }
        });
        var command = new Command("serve", "Run a ByteStream server (resumable writes, reads, QueryWriteStatus) until Ctrl+C.")
        {
            port, root, listen, cert, key, password, streamWindow, connectionWindow, maxStreams,
        };
        CommandRunner.SetBody(command, async (parse, output, cancellationToken) =>
        {
            var directory = parse.GetValue(root);
            var certFile = parse.GetValue(cert);
            using var certificate = certFile is null ? null : Certificates.LoadServerCertificate(certFile.FullName, parse.GetValue(key)?.FullName, parse.GetValue(password));
            using var loggerFactory = LoggerFactory.Create(logging =>
            {
                if (output.Verbose)
                {
                    logging.AddSimpleConsole(console => console.SingleLine = true);
                    logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
                    logging.SetMinimumLevel(LogLevel.Information);
                }
            });
            var options = new ByteStreamTestServerOptions
            {
                Port = parse.GetValue(port),
                ListenAddress = parse.GetRequiredValue(listen),
                StorageDirectory = directory?.FullName,
                ServerCertificate = certificate,
                LoggerFactory = output.Verbose ? loggerFactory : null,
                Http2StreamWindowSize = parse.GetValue(streamWindow),
                Http2ConnectionWindowSize = parse.GetValue(connectionWindow),
                MaxStreamsPerConnection = parse.GetValue(maxStreams),
            };
            await using var server = await ByteStreamTestServer.StartAsync(options, cancellationToken);
            output.Result(
                new JsonObject
                {
                    ["command"] = "serve",
                    ["address"] = server.Address.ToString().TrimEnd('/'),
                    ["root"] = directory?.FullName,
                    ["tls"] = certificate is not null,
                },
                $"bytestream serve: listening on {server.Address.ToString().TrimEnd('/')}, {(directory is null ? "resources in memory" : $"resources in {directory.FullName}")}; Ctrl+C stops");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C or SIGTERM: the normal way to stop a server, not a failure.
            }

            output.Line("bytestream serve: stopped");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Option<int> WindowOption(string name, string description, int defaultValue) => new(name)
    {
        Description = $"{description} Default: {defaultValue / (1024 * 1024)}M.",
        HelpName = "SIZE",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => ByteSize.TryParse(result.Tokens[^1].Value, out var size) && size is >= 65_535 and <= int.MaxValue
            ? (int)size
            : ParseErrors.Invalid<int>(result, $"{name} must be 64K to 2047M (e.g. 32M), not '{result.Tokens[^1].Value}'"),
    };
}
