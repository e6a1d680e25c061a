using System.Runtime.InteropServices;

namespace Bytestream.Cli;

/// <summary>
/// Turns Ctrl+C (SIGINT) and SIGTERM into a cancelled token, so a command can stop cleanly: an upload ends
/// its call without finish_write and stays resumable. A second Ctrl+C ends the process at once.
/// </summary>
internal sealed class ConsoleCancellation : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration? _terminate;

    public ConsoleCancellation()
    {
        Console.CancelKeyPress += OnCancelKeyPress;
        _terminate = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnTerminate);
    }

    public CancellationToken Token => _source.Token;

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _terminate?.Dispose();
        _source.Dispose();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        if (!_source.IsCancellationRequested)
        {
            e.Cancel = true;
            _source.Cancel();
        }
    }

    private void OnTerminate(PosixSignalContext context)
    {
        context.Cancel = true;
        _source.Cancel();
    }
}
