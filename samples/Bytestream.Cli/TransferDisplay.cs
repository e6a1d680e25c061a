using System.Diagnostics;
using System.Globalization;
using Bytestream.Client;
using Spectre.Console;

namespace Bytestream.Cli;

/// <summary>
/// Shows one transfer while it runs: a live progress bar when stdout is a terminal, plain lines otherwise
/// (each quarter done, every resume; no control codes), nothing with --json.
/// </summary>
internal static class TransferDisplay
{
    public static async Task<T> RunAsync<T>(Output output, TransferEvents events, string label, long? total, Func<IProgress<TransferProgress>?, Task<T>> transfer)
    {
        if (output.Json)
        {
            return await transfer(null);
        }

        if (output.Interactive)
        {
            return await AnsiConsole.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(
                    new TaskDescriptionColumn { Alignment = Justify.Left },
                    new ProgressBarColumn(),
                    new PercentageColumn(),
                    new DownloadedColumn(),
                    new TransferSpeedColumn(),
                    new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask(Markup.Escape(label), maxValue: Math.Max(1, total ?? 1));
                    task.IsIndeterminate = total is null;
                    var resumes = 0;
                    void OnEvent(string text)
                    {
                        if (text.StartsWith("interrupted", StringComparison.Ordinal))
                        {
                            resumes++;
                        }

                        task.Description = Markup.Escape($"{label} ({resumes} resumes; {text})");
                    }

                    events.Happened += OnEvent;
                    try
                    {
                        var result = await transfer(new ProgressAction(p =>
                        {
                            if (task.IsIndeterminate && p.TotalBytes is { } known)
                            {
                                task.MaxValue = Math.Max(1, known);
                                task.IsIndeterminate = false;
                            }

                            task.Value = p.BytesTransferred;
                        }));
                        task.Value = task.MaxValue;
                        task.StopTask();
                        return result;
                    }
                    finally
                    {
                        events.Happened -= OnEvent;
                    }
                });
        }

        var plain = new PlainProgress(label, total);
        void OnPlainEvent(string text) => Console.Out.WriteLine($"{label}: {text}");
        events.Happened += OnPlainEvent;
        try
        {
            return await transfer(plain);
        }
        finally
        {
            events.Happened -= OnPlainEvent;
        }
    }

    /// <summary>Reports synchronously: <see cref="Progress{T}"/> would post to the thread pool and reorder reports.</summary>
    private sealed class ProgressAction(Action<TransferProgress> report) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value) => report(value);
    }

    /// <summary>A line each time a quarter more is done (every 2 s when the size is unknown).</summary>
    private sealed class PlainProgress(string label, long? total) : IProgress<TransferProgress>
    {
        private readonly Stopwatch _watch = Stopwatch.StartNew();
        private int _quarter;
        private TimeSpan _lastLine;

        public void Report(TransferProgress value)
        {
            var size = total ?? value.TotalBytes;
            if (size is > 0)
            {
                var quarter = (int)Math.Min(4, value.BytesTransferred * 4 / size.Value);
                if (quarter > _quarter)
                {
                    _quarter = quarter;
                    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}: {quarter * 25}% ({value.BytesTransferred:N0} of {size:N0} bytes)"));
                }
            }
            else if (_watch.Elapsed - _lastLine >= TimeSpan.FromSeconds(2))
            {
                _lastLine = _watch.Elapsed;
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}: {value.BytesTransferred:N0} bytes"));
            }
        }
    }
}
