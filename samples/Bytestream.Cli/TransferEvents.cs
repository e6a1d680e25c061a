using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bytestream.Cli;

/// <summary>
/// Picks the client's log events that a person watching a transfer cares about (an interrupted call, the
/// offset it resumes from, a retry) and raises them as short sentences, so progress can show cuts and
/// resumes as they happen. Registered as a logger provider on the client's logger factory.
/// </summary>
internal sealed class TransferEvents : ILoggerProvider, ILogger
{
    // Event ids of Bytestream.Client's log messages (src/Bytestream.Client/Internal/Log*.cs).
    private const int RetryScheduled = 1;
    private const int ResumingAfterProgress = 2;
    private const int ReadCallStarting = 10;
    private const int WriteStarting = 30;
    private const int WriteResumed = 31;

    private bool _interruptedRead;

    /// <summary>Raised on the transfer's own thread with a sentence such as "resuming at committed offset 4,194,304".</summary>
    public event Action<string>? Happened;

    /// <summary>Raised when a Write call starts or resumes at an offset: the upload goes on there, without moving the bytes before it.</summary>
    public event Action<long>? Repositioned;

    /// <summary>Only the client's own category: the channel's loggers reuse the same small event ids for other things.</summary>
    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith("Bytestream.Client", StringComparison.Ordinal) ? this : NullLogger.Instance;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state as IReadOnlyList<KeyValuePair<string, object?>>;
        // A Read that starts after an interruption is the resume (the first Read may start at an offset too).
        var resumedRead = eventId.Id == ReadCallStarting && _interruptedRead;
        if (eventId.Id is ResumingAfterProgress or ReadCallStarting or WriteResumed)
        {
            _interruptedRead = eventId.Id == ResumingAfterProgress;
        }
        var text = eventId.Id switch
        {
            ResumingAfterProgress => $"interrupted ({Status(exception)}), resuming",
            ReadCallStarting when resumedRead => $"resuming at offset {Number(values, "Offset")}",
            WriteResumed => $"resuming at committed offset {Number(values, "Offset")}",
            RetryScheduled => $"{Status(exception)}, retry {Number(values, "RetryNumber")}",
            _ => null,
        };
        if (text is not null)
        {
            Happened?.Invoke(text);
        }

        if (eventId.Id is WriteStarting or WriteResumed && Value(values, "Offset") is long offset)
        {
            Repositioned?.Invoke(offset);
        }
    }

    public void Dispose()
    {
        // Nothing to release: the provider only forwards events.
    }

    private static string Status(Exception? exception) =>
        exception is Grpc.Core.RpcException rpc ? ErrorReport.CanonicalName(rpc.StatusCode) : exception?.GetType().Name ?? "failed";

    private static string Number(IReadOnlyList<KeyValuePair<string, object?>>? values, string key) =>
        Value(values, key) is IFormattable number ? number.ToString("N0", CultureInfo.InvariantCulture) : "?";

    private static object? Value(IReadOnlyList<KeyValuePair<string, object?>>? values, string key) =>
        values?.FirstOrDefault(pair => pair.Key == key).Value;
}
