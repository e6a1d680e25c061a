using Bytestream.Cli;

// The `bytestream` tool. Its first command, `demo`, needs no server of the user's.
return args switch
{
    ["demo", .. var rest] => await DemoCommand.RunAsync(rest),
    [] or ["-h" or "--help" or "help"] => Usage(Console.Out, 0),
    _ => Usage(Console.Error, 2),
};

static int Usage(TextWriter writer, int exitCode)
{
    writer.WriteLine("""
        usage: bytestream <command> [options]

        commands:
          demo [--size MiB] [--cuts N]   start an embedded ByteStream test server, upload a generated
                                         file through N injected cuts (default 64 MiB, 4 cuts), resume,
                                         download it back through cuts too, and verify its SHA-256
        """);
    return exitCode;
}
