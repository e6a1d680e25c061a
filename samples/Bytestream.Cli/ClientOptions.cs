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
            : ParseErrors.Invalid<int?>(result, $"--chunk-size must be 1 to {ByteStreamClientOptions.MaxChunkSize} bytes (e.g. 256K), not '{result.Tokens[^1].Value}'"),
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

    private readonly Option<TimeSpan?> _stallTimeout = new("--stall-timeout")
    {
        Description = "Give up on an attempt (and retry it) when no byte moves for this long, e.g. 30s; 0 turns it off. Never cuts a transfer that keeps moving. Default: 60s.",
        HelpName = "DURATION",
        CustomParser = result => ParseDuration(result, "--stall-timeout", allowZero: true),
    };

    private readonly Option<TimeSpan?> _timeout = new("--timeout")
    {
        Description = "Stop the whole command after this long, retries included, e.g. 10m (exit 3). Default: none.",
        HelpName = "DURATION",
        CustomParser = result => ParseDuration(result, "--timeout", allowZero: false),
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
        command.Options.Add(_stallTimeout);
        command.Options.Add(_timeout);
        command.Options.Add(_trustCert);
    }

    /// <summary>Gets the --timeout of the command, if given.</summary>
    public TimeSpan? Timeout(ParseResult parse) => parse.GetValue(_timeout);

    /// <summary>Makes the client the options describe.</summary>
    /// <exception cref="UsageException">No address, a malformed header, an unreadable certificate.</exception>
    public RemoteClient Connect(ParseResult parse, Output output)
    {
        var address = parse.GetValue(_address) ?? throw new UsageException("no server given: pass --address URL (or set BYTESTREAM_ADDRESS)");
        var headers = ParseHeaders(parse.GetValue(_headers) ?? [], parse.GetValue(_token));
        var trustFile = parse.GetValue(_trustCert);
        var trusted = trustFile is null ? null : Certificates.LoadTrusted(trustFile.FullName);

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
        var channel = ByteStreamChannel.ForAddress(address, channelOptions =>
        {
            if (trusted is not null)
            {
                ((SocketsHttpHandler)channelOptions.HttpHandler!).SslOptions.RemoteCertificateValidationCallback = Certificates.Trusting(trusted);
            }

            channelOptions.LoggerFactory = loggerFactory;
        });
        var options = new ByteStreamClientOptions
        {
            MaxRetryAttempts = parse.GetValue(_retries),
            LoggerFactory = loggerFactory,
        };
        if (parse.GetResult(_stallTimeout) is not null)
        {
            var stall = parse.GetValue(_stallTimeout);
            options.StallTimeout = stall == TimeSpan.Zero ? null : stall;
        }

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
        return result is null ? throw new UsageException(message) : ParseErrors.Invalid<Uri?>(result, message);
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

    private static TimeSpan? ParseDuration(ArgumentResult result, string name, bool allowZero)
    {
        var text = result.Tokens[^1].Value;
        return Duration.TryParse(text, out var duration) && (duration > TimeSpan.Zero || (allowZero && duration == TimeSpan.Zero))
            ? duration
            : ParseErrors.Invalid<TimeSpan?>(result, $"{name} must be a duration such as 30s, 500ms or 10m{(allowZero ? " (0 turns it off)" : "")}, not '{text}'");
    }
}
