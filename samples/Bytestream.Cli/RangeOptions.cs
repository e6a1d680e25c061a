using System.CommandLine;

namespace Bytestream.Cli;

/// <summary>--offset and --limit of the reading commands.</summary>
internal sealed class RangeOptions
{
    public RangeOptions()
    {
        Offset = Create("--offset", "Start reading at this byte offset, e.g. 4096 or 1M. Default: 0.");
        Limit = Create("--limit", "Read at most this many bytes. Default: 0, to the end.");
    }

    public Option<long> Offset { get; }

    public Option<long> Limit { get; }

    public void AddTo(Command command)
    {
        command.Options.Add(Offset);
        command.Options.Add(Limit);
    }

    private static Option<long> Create(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "BYTES",
        CustomParser = result =>
        {
            if (ByteSize.TryParse(result.Tokens[^1].Value, out var bytes))
            {
                return bytes;
            }

            result.AddError($"{name} must be a byte count such as 4096 or 1M, not '{result.Tokens[^1].Value}'");
            return 0;
        },
    };
}
