using Bytestream.Client.Benchmarks;

// `run` measures (the default); `server` is the separate server process that `run` starts.
return args switch
{
    ["server", .. var rest] => await ServerCommand.RunAsync(rest),
    ["run", .. var rest] => await RunCommand.RunAsync(rest),
    [] => await RunCommand.RunAsync([]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: Bytestream.Client.Benchmarks [run] [--size MiB] [--rounds N] [--chunk KiB] [--server testing|go|both] [--cuts N] [--sweep chunk] [--client-window KiB]
               Bytestream.Client.Benchmarks run --target URL [--size MiB] [--rounds N] [--chunk KiB] [--sweep chunk] [--client-window KiB]
               Bytestream.Client.Benchmarks run --suite reapi [--size MiB (256)] [--rounds N (3)] [--levels 1,3] [--chunk KiB]
               Bytestream.Client.Benchmarks run --suite write-stream [--size MiB (512)] [--rounds pairs (15)] [--chunk KiB] [--only raw|stream] [--replay-buffer MiB] [--raw-buffers N] [--warm-up small-pairs (100)]
               Bytestream.Client.Benchmarks server [--null] [--cut-every BYTES]
        """);
    return 2;
}
