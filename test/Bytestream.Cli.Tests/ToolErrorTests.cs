using System.Net;
using System.Net.Sockets;

namespace Bytestream.Cli.Tests;

/// <summary>Errors are one line on stderr with the README's exit code, and never a stack trace.</summary>
public class ToolErrorTests
{
    [TestCase("upload", TestName = "MissingArguments")]
    [TestCase("frobnicate", TestName = "UnknownCommand")]
    [TestCase("upload a b --address ftp://host", TestName = "AddressNotHttp")]
    [TestCase("download a b --address http://127.0.0.1:1 --offset ten", TestName = "OffsetNotANumber")]
    [TestCase("status a --address http://127.0.0.1:1 --chunk-size 0", TestName = "ChunkSizeZero")]
    [TestCase("status a --address http://127.0.0.1:1 --header no-equals-sign", TestName = "HeaderWithoutValue")]
    [TestCase("status a", TestName = "NoAddress")]
    [TestCase("demo --size 0", TestName = "DemoSizeOutOfRange")]
    [TestCase("put a.bin --address http://127.0.0.1:1", TestName = "PutWithoutInstance")]
    [TestCase("put a.bin --instance main --digest-function sha256tree --address http://127.0.0.1:1", TestName = "PutUnknownDigestFunction")]
    [TestCase("get blobs/00ff/2 out.bin --compress gzip --address http://127.0.0.1:1", TestName = "CompressUnknown")]
    [TestCase("upload a.bin files/a.bin --compress zstd --address http://127.0.0.1:1", TestName = "CompressOfANonBlobName")]
    public async Task BadArguments_ExitCode2_OneLineOnStderr(string commandLine)
    {
        var result = await Programs.RunAsync("bytestream", commandLine.Split(' '));

        AssertFailure(result, exitCode: 2);
    }

    [TestCase("get")]
    [TestCase("download")]
    [TestCase("cat")]
    public async Task UnknownDigestFunction_NamesTheToolsFlag_NotTheLibrarysOption(string command)
    {
        // A 10-digit hash fits no digest function REAPI defines: the digest cannot be checked, and the message says how to read it anyway.
        string[] arguments = command == "cat"
            ? ["cat", "main/blobs/0123456789/5", "--address", "http://127.0.0.1:1"]
            : [command, "main/blobs/0123456789/5", Path.Combine(Path.GetTempPath(), "never-unknown-digest.bin"), "--address", "http://127.0.0.1:1"];

        var result = await Programs.RunAsync("bytestream", arguments);

        AssertFailure(result, exitCode: 2);
        Assert.Multiple(() =>
        {
            Assert.That(result.StandardError, Does.Contain("Run it with --no-verify to read it unchecked."));
            Assert.That(result.StandardError, Does.Not.Contain("DownloadOptions"));
        });
    }

    [Test]
    public async Task Cat_CompressedNameWithLimit_ExitCode2_WithoutTheLibrarysParameterName()
    {
        var result = await Programs.RunAsync("bytestream", "cat", $"main/compressed-blobs/zstd/{new string('a', 64)}/100", "--limit", "10", "--address", "http://127.0.0.1:1");

        AssertFailure(result, exitCode: 2);
        Assert.Multiple(() =>
        {
            Assert.That(result.StandardError, Does.Contain("cannot have a limit"));
            Assert.That(result.StandardError, Does.Not.Contain("(Parameter"));
        });
    }

    [Test]
    public async Task Help_ListsEveryCommand_ExitCode0()
    {
        var result = await Programs.RunAsync("bytestream", "--help");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(0));
            Assert.That(result.StandardOutput, Does.Contain("demo").And.Contain("serve").And.Contain("upload").And.Contain("download").And.Contain("cat").And.Contain("status").And.Contain("put").And.Contain("get"));
        });
    }

    [Test]
    public async Task UnreachableServer_ExitCode3_OneLineOnStderr()
    {
        var port = ClosedPort();

        var status = await Programs.RunAsync("bytestream", "status", "any", "--address", $"http://127.0.0.1:{port}", "--retries", "1");
        var json = await Programs.RunAsync("bytestream", "download", "any", "out.bin", "--address", $"http://127.0.0.1:{port}", "--retries", "0", "--json");

        AssertFailure(status, exitCode: 3);
        AssertFailure(json, exitCode: 3);
        Assert.Multiple(() =>
        {
            Assert.That(status.StandardError, Does.Contain("UNAVAILABLE"));
            Assert.That(json.StandardError, Does.StartWith("{\"error\":").And.Contain("\"exitCode\":3"));
        });
    }

    [Test]
    public async Task MissingResourceOrFile_ExitCode4()
    {
        using var server = await ServeProcess.StartAsync("--port", "0");

        var status = await Programs.RunAsync("bytestream", "status", "no/such/resource", "--address", server.Url);
        var download = await Programs.RunAsync("bytestream", "download", "no/such/resource", Path.Combine(Path.GetTempPath(), "never.bin"), "--address", server.Url);
        var upload = await Programs.RunAsync("bytestream", "upload", "/no/such/file.bin", "r", "--address", server.Url);

        AssertFailure(status, exitCode: 4);
        AssertFailure(download, exitCode: 4);
        AssertFailure(upload, exitCode: 4);
        Assert.That(Path.Combine(Path.GetTempPath(), "never.bin"), Does.Not.Exist, "a failed download leaves no file");
        Assert.That(Path.Combine(Path.GetTempPath(), "never.bin.partial"), Does.Not.Exist, "a failed download leaves no partial file");
    }

    [Test]
    public async Task Verbose_Error_PrintsTheStackTraceToo()
    {
        var result = await Programs.RunAsync("bytestream", "status", "any", "--address", $"http://127.0.0.1:{ClosedPort()}", "--retries", "0", "--verbose");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(3));
            Assert.That(result.StandardError, Does.Contain("   at "), "--verbose asks for the stack trace");
        });
    }

    [Test]
    public async Task NotAGrpcServer_OneLineSayingSo_NotRetried()
    {
        // Like `python3 -m http.server` on the address: it used to give INTERNAL, five retries, then a raw PROTOCOL_ERROR.
        await using var server = Bytestream.Client.Tests.NotGrpcServer.StartHttp10();

        var result = await Programs.RunAsync("bytestream", "status", "any", "--address", server.Address.ToString().TrimEnd('/'), "--retries", "5");

        AssertFailure(result, exitCode: 1);
        Assert.Multiple(() =>
        {
            Assert.That(result.StandardError, Does.Contain($"The server at 127.0.0.1:{server.Address.Port} does not speak gRPC over HTTP/2"));
            Assert.That(server.Connections, Is.EqualTo(1), "not retried");
        });
    }

    private static void AssertFailure(ProgramResult result, int exitCode) => Assert.Multiple(() =>
    {
        Assert.That(result.ExitCode, Is.EqualTo(exitCode), result.ToString());
        Assert.That(result.ErrorLines, Has.Length.EqualTo(1), result.ToString());
        Assert.That(result.StandardError, Does.Not.Contain("   at "), "no stack trace without --verbose");
        Assert.That(result.StandardOutput, Is.Empty, result.ToString());
    });

    private static int ClosedPort()
    {
        // A port that was free a moment ago: nothing listens there.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
