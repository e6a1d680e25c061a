using System.Text.RegularExpressions;

namespace Bytestream.Cli.Tests;

/// <summary>A <c>bytestream serve</c> process and the address it announced on its first line.</summary>
public sealed partial class ServeProcess : IDisposable
{
    private ServeProcess(RunningProgram program, Uri address)
    {
        Program = program;
        Address = address;
    }

    public RunningProgram Program { get; }

    public Uri Address { get; }

    /// <summary>The address as the tool's --address takes it.</summary>
    public string Url => Address.ToString().TrimEnd('/');

    /// <summary>Starts <c>bytestream serve</c> with <paramref name="arguments"/> and waits for its "listening on" line.</summary>
    public static Task<ServeProcess> StartAsync(params string[] arguments) => StartAsync(new Dictionary<string, string>(), arguments);

    /// <summary>Starts <c>bytestream serve</c> with <paramref name="environment"/> added to its environment, like <see cref="StartAsync(string[])"/>.</summary>
    public static async Task<ServeProcess> StartAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var program = Programs.Start("bytestream", environment, ["serve", .. arguments]);
        var line = await program.ReadLineAsync();
        var match = line is null ? null : ListeningOn().Match(line);
        if (match is not { Success: true })
        {
            program.Kill();
            var result = await program.WaitAsync();
            throw new AssertionException($"serve did not announce its address; first line: '{line}'; {result}");
        }

        return new ServeProcess(program, new Uri(match.Groups[1].Value));
    }

    public void Dispose() => Program.Dispose();

    [GeneratedRegex(@"listening on (https?://\S+?),")]
    private static partial Regex ListeningOn();
}
