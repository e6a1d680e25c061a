using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Bytestream.Client;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Bytestream.Cli;

/// <summary>
/// The options every command that talks to a server shares (--address, --chunk-size, --header, --token,
/// --retries, --trust-cert), and the client they make. One instance per command.
/// </summary>
internal sealed class ClientOptions
{
    private readonly Option<Uri?> _address = new("--address", "-a")
    {
        Description = "The server, http://host:port (h2c) or https://host:port (TLS). Default: $BYTESTREAM_ADDRESS.",
        HelpName = "URL",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("BYTESTREAM_ADDRESS") is { Length: > 0 } text ? ParseAddress(text, null) : null,
        CustomParser = result => ParseAddress(result.Tokens[^1].Value, result),
    };

    private readonly Option<int?> _chunkSize = new("--chunk-size")
    {
        Description = $"Data bytes per WriteRequest, e.g. 256K or 1M (1 to {ByteStreamClientOptions.MaxChunkSize / 1024}K). Default: 1M.",
        HelpName = "SIZE",
        CustomParser = result => ByteSize.TryParse(result.Tokens[^1].Value, out var size) && size is >= 1 and <= ByteStreamClientOptions.MaxChunkSize
            ? (int)size
            : Invalid<int?>(result, $"--chunk-size must be 1 to {ByteStreamClientOptions.MaxChunkSize} bytes (e.g. 256K), not '{result.Tokens[^1].Value}'"),
    };

    private readonly Option<string[]> _headers = new("--header", "-H")
    {
        Description = "A header sent on every call and retry, name=value; repeatable. Names ending in -bin take base64 values.",
        HelpName = "NAME=VALUE",
    };

    private readonly Option<string?> _token = new("--token")
    {
        Description = "A bearer token, sent as 'authorization: Bearer TOKEN' on every call. Default: $BYTESTREAM_TOKEN.",
        HelpName = "TOKEN",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("BYTESTREAM_TOKEN") is { Length: > 0 } token ? token : null,
    };

    private readonly Option<int> _retries = new("--retries")
    {
        Description = "Retries after a failure that made no progress (a failure after progress always resumes).",
        HelpName = "N",
        DefaultValueFactory = _ => 5,
    };

    private readonly Option<FileInfo?> _trustCert = new("--trust-cert")
    {
        Description = "A certificate (PEM or DER) to trust for https:// besides the system's: the server's own, or its issuer.",
        HelpName = "FILE",
    };

    public ClientOptions()
    {
        _retries.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError("--retries must be 0 or more");
            }
        });
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_address);
        command.Options.Add(_chunkSize);
        command.Options.Add(_headers);
        command.Options.Add(_token);
        command.Options.Add(_retries);
        command.Options.Add(_trustCert);
    }

    /// <summary>Makes the client the options describe.</summary>
    /// <exception cref="UsageException">No address, a malformed header, an unreadable certificate.</exception>
    public RemoteClient Connect(ParseResult parse, Output output)
    {
        var address = parse.GetValue(_address) ?? throw new UsageException("no server given: pass --address URL (or set BYTESTREAM_ADDRESS)");
        var headers = ParseHeaders(parse.GetValue(_headers) ?? [], parse.GetValue(_token));
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        var trustFile = parse.GetValue(_trustCert);
        var trusted = trustFile is null ? null : Certificates.LoadTrusted(trustFile.FullName);
        if (trusted is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = Certificates.Trusting(trusted);
        }

        var events = new TransferEvents();
        var loggerFactory = LoggerFactory.Create(logging =>
        {
            // The client's resume events are Debug; the console shows them only with --verbose.
            logging.SetMinimumLevel(LogLevel.Debug).AddProvider(events);
            if (output.Verbose)
            {
                // Logs go to stderr, so stdout keeps only results (and cat's data).
                logging.AddSimpleConsole(console => console.SingleLine = true);
                logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
                logging.AddFilter<ConsoleLoggerProvider>(null, LogLevel.Warning)
                    .AddFilter<ConsoleLoggerProvider>("Bytestream", LogLevel.Debug)
                    .AddFilter<ConsoleLoggerProvider>("Grpc", LogLevel.Information);
            }
        });
        var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            LoggerFactory = loggerFactory,
        });
        var options = new ByteStreamClientOptions
        {
            MaxRetryAttempts = parse.GetValue(_retries),
            LoggerFactory = loggerFactory,
        };
        if (parse.GetValue(_chunkSize) is { } chunkSize)
        {
            options.ChunkSize = chunkSize;
        }

        return new RemoteClient(address, new ByteStreamClient(new HeaderChannel(channel, headers), options), channel, loggerFactory, events, trusted);
    }

    private static Uri? ParseAddress(string text, ArgumentResult? result)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return uri;
        }

        var message = $"--address must be an http:// or https:// URL such as http://127.0.0.1:8980, not '{text}'";
        return result is null ? throw new UsageException(message) : Invalid<Uri?>(result, message);
    }

    private static List<Metadata.Entry> ParseHeaders(string[] values, string? token)
    {
        var headers = new List<Metadata.Entry>();
        foreach (var value in values)
        {
            var separator = value.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                throw new UsageException($"--header must be name=value, not '{value}'");
            }

            var name = value[..separator].Trim().ToLowerInvariant();
            var text = value[(separator + 1)..];
            try
            {
                headers.Add(name.EndsWith(Metadata.BinaryHeaderSuffix, StringComparison.Ordinal)
                    ? new Metadata.Entry(name, Convert.FromBase64String(text))
                    : new Metadata.Entry(name, text));
            }
            catch (Exception exception) when (exception is ArgumentException or FormatException)
            {
                throw new UsageException($"--header '{value}' is not a valid gRPC header: {exception.Message}", exception);
            }
        }

        if (token is not null)
        {
            headers.Add(new Metadata.Entry("authorization", string.Create(CultureInfo.InvariantCulture, $"Bearer {token}")));
        }

        return headers;
    }

    private static T? Invalid<T>(ArgumentResult result, string message)
    {
        result.AddError(message);
        return default;
    }
}
