using System.Diagnostics;

namespace Bytestream.Client.Tests.Reliability;

/// <summary>
/// One busy process per core (<c>sh -c 'while :; do :; done'</c>) for as long as it lives, so that what runs beside it
/// gets the CPU late and in slices: timers fire late, continuations wait, races that a quiet machine never loses
/// show up. Disposal kills the processes it started, and only those.
/// </summary>
internal sealed class CpuContention : IDisposable
{
    /// <summary>The environment variable that puts the fault schedules under contention: <c>1</c> to do so.</summary>
    public const string Variable = "BYTESTREAM_FAULT_CONTENTION";

    private readonly List<Process> _spinners = [];

    private CpuContention(int processes)
    {
        try
        {
            for (var i = 0; i < processes; i++)
            {
                var start = new ProcessStartInfo("sh") { UseShellExecute = false, ArgumentList = { "-c", "while :; do :; done" } };
                _spinners.Add(Process.Start(start) ?? throw new InvalidOperationException("sh did not start."));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Gets how many busy processes run.</summary>
    public int Processes => _spinners.Count;

    /// <summary>Gets whether <see cref="Variable"/> asks for contention.</summary>
    public static bool Requested => Environment.GetEnvironmentVariable(Variable) == "1";

    /// <summary>Starts one busy process per core (<see cref="Environment.ProcessorCount"/>).</summary>
    public static CpuContention Start() => new(Environment.ProcessorCount);

    public void Dispose()
    {
        foreach (var spinner in _spinners)
        {
            try
            {
                spinner.Kill();
                spinner.WaitForExit(TaskExtensions.DefaultTimeoutSpan);
            }
            catch (InvalidOperationException)
            {
                // It had exited already.
            }

            spinner.Dispose();
        }

        _spinners.Clear();
    }
}
