using System.Diagnostics;
using Bytestream.Client;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Bytestream.Cli;

/// <summary>
/// Shows one transfer while it runs: a live progress bar when stdout is a terminal, plain lines otherwise
/// (each quarter done, or every 2 s when the size is unknown, and every resume; no control codes), nothing
/// with --json. Both say what a <see cref="TransferMeter"/> says: sizes and the rate of bytes moved now.
/// A command whose stdout is its result (put prints a name to capture) shows progress on stderr instead.
/// </summary>
internal static class TransferDisplay
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(2);

    public static async Task<T> RunAsync<T>(
        Output output, TransferEvents events, string label, long? total, Func<IProgress<TransferProgress>?, Task<T>> transfer, bool onStandardError = false)
    {
        if (output.Json)
        {
            return await transfer(null);
        }

        var watch = Stopwatch.StartNew();
        var meter = new TransferMeter(total, watch.Elapsed);
        var writer = onStandardError ? Console.Error : Console.Out;
        var terminal = onStandardError ? !Console.IsErrorRedirected : output.Interactive;
        events.Repositioned += meter.MoveTo;
        try
        {
            return terminal
                ? await RunWithBarAsync(onStandardError ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) }) : AnsiConsole.Console, events, label, meter, watch, transfer)
                : await RunWithLinesAsync(writer, events, label, meter, watch, transfer);
        }
        finally
        {
            events.Repositioned -= meter.MoveTo;
        }
    }

    private static Task<T> RunWithBarAsync<T>(IAnsiConsole console, TransferEvents events, string label, TransferMeter meter, Stopwatch watch, Func<IProgress<TransferProgress>?, Task<T>> transfer) =>
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn(),
                new MeterColumn(meter, watch))
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(label), maxValue: Math.Max(1, meter.Total ?? 1));

                // An unknown size gets a moving bar and no percentage, until a report tells the size.
                task.IsIndeterminate = meter.Total is null;
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
                        meter.Report(p.BytesTransferred, p.TotalBytes, watch.Elapsed);
                        if (task.IsIndeterminate && meter.Total is { } known)
                        {
                            task.MaxValue = Math.Max(1, known);
                            task.IsIndeterminate = false;
                        }

                        task.Value = p.BytesTransferred;
                    }));
                    task.IsIndeterminate = false;
                    task.MaxValue = Math.Max(1, meter.Position);
                    task.Value = task.MaxValue;
                    task.StopTask();
                    return result;
                }
                finally
                {
                    events.Happened -= OnEvent;
                }
            });

    private static async Task<T> RunWithLinesAsync<T>(TextWriter writer, TransferEvents events, string label, TransferMeter meter, Stopwatch watch, Func<IProgress<TransferProgress>?, Task<T>> transfer)
    {
        void OnEvent(string text) => writer.WriteLine($"{label}: {text}");
        events.Happened += OnEvent;
        try
        {
            var quarter = 0;
            var lastLine = TimeSpan.Zero;
            return await transfer(new ProgressAction(p =>
            {
                var now = watch.Elapsed;
                meter.Report(p.BytesTransferred, p.TotalBytes, now);
                if (meter.Total is long size and > 0)
                {
                    var reached = (int)Math.Min(4, p.BytesTransferred * 4 / size);
                    if (reached <= quarter)
                    {
                        return;
                    }

                    quarter = reached;
                }
                else if (now - lastLine < PlainInterval)
                {
                    return;
                }

                lastLine = now;
                writer.WriteLine($"{label}: {meter.Describe(now)}");
            }));
        }
        finally
        {
            events.Happened -= OnEvent;
        }
    }

    /// <summary>Reports synchronously: <see cref="Progress{T}"/> would post to the thread pool and reorder reports.</summary>
    private sealed class ProgressAction(Action<TransferProgress> report) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value) => report(value);
    }

    /// <summary>The bar's text: the meter's line, redrawn as the display refreshes (so a stall shows the rate falling).</summary>
    private sealed class MeterColumn(TransferMeter meter, Stopwatch watch) : ProgressColumn
    {
        protected override bool NoWrap => true;

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) => new Text(meter.Describe(watch.Elapsed));
    }
}
