using Bytestream.Client.Tests.Infrastructure;
using Bytestream.Testing;

namespace Bytestream.Cli.Tests;

/// <summary>
/// A blob that fails its digest or is cut short never becomes a file: <c>get</c> and <c>download</c> against an
/// in-process test server holding a corrupt blob (SetResource does not check digests) or cutting reads.
/// </summary>
public class ToolBlobIntegrityTests : InProcessServerFixture
{
    [TestCase("get")]
    [TestCase("download")]
    public async Task CorruptBlob_ExitCode6_NamesBothDigests_LeavesNoFile(string command)
    {
        var data = TestFiles.Random(512 * 1024, seed: 30);
        var corrupt = TestFiles.Random(data.Length, seed: 31);
        var name = $"main/blobs/{TestFiles.Sha256(data)}/{data.Length}";
        Server.SetResource(name, corrupt);
        var target = Path.Combine(Work.FullName, "corrupt.bin");

        var result = await Programs.RunAsync("bytestream", command, name, target, "--address", Url);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(6), result.ToString());
            Assert.That(result.ErrorLines, Has.Length.EqualTo(1), result.ToString());
            Assert.That(result.StandardError, Does.Contain("does not match its digest")
                .And.Contain($"{TestFiles.Sha256(corrupt)}/{data.Length}")
                .And.Contain($"{TestFiles.Sha256(data)}/{data.Length}"));
            Assert.That(result.StandardError, Does.Not.Contain("   at "));
            Assert.That(Work.GetFileSystemInfos(), Is.Empty, "neither FILE nor its partial file");
        });
    }

    [Test]
    public async Task Cat_CorruptBlob_ExitCode6_SaysTheBytesAlreadyWrittenDoNotMatch()
    {
        var data = TestFiles.Random(300_000, seed: 38);
        var corrupt = TestFiles.Random(data.Length, seed: 39);
        var name = $"main/blobs/{TestFiles.Sha256(data)}/{data.Length}";
        Server.SetResource(name, corrupt);

        var result = await Programs.RunAsync("bytestream", "cat", name, "--address", Url);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(6), result.ToString());
            Assert.That(result.ErrorLines, Has.Length.EqualTo(1), result.ToString());
            Assert.That(result.StandardError, Does.Contain("the bytes already written to stdout do not match the blob's digest")
                .And.Contain($"{TestFiles.Sha256(corrupt)}/{data.Length}"));
            Assert.That(result.StandardError, Does.Not.Contain("nothing was handed out as valid"));
            Assert.That(TestFiles.Sha256(result.StandardOutputBytes), Is.EqualTo(TestFiles.Sha256(corrupt)), "what stdout got: the server's bytes, streamed before the end showed them wrong");
        });
    }

    [Test]
    public async Task Cat_NoVerify_CorruptBlob_ExitCode0()
    {
        var data = TestFiles.Random(100_000, seed: 46);
        var corrupt = TestFiles.Random(data.Length, seed: 47);
        var name = $"main/blobs/{TestFiles.Sha256(data)}/{data.Length}";
        Server.SetResource(name, corrupt);

        var result = await Programs.RunAsync("bytestream", "cat", name, "--no-verify", "--address", Url);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
            Assert.That(TestFiles.Sha256(result.StandardOutputBytes), Is.EqualTo(TestFiles.Sha256(corrupt)));
        });
    }

    [Test]
    public async Task Get_CorruptBlob_LeavesAnEarlierFileAsItWas()
    {
        var data = TestFiles.Random(100_000, seed: 32);
        var name = $"blobs/{TestFiles.Sha256(data)}/{data.Length}";
        Server.SetResource(name, TestFiles.Random(data.Length, seed: 33));
        var target = TestFiles.Write(Work.FullName, "earlier.bin", [1, 2, 3]);

        var result = await Programs.RunAsync("bytestream", "get", name, target, "--address", Url);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(6), result.ToString());
            Assert.That(File.ReadAllBytes(target), Is.EqualTo(new byte[] { 1, 2, 3 }));
            Assert.That(Work.GetFiles(), Has.Length.EqualTo(1), "no partial file");
        });
    }

    [Test]
    public async Task Get_NoVerify_CorruptBlob_WritesWhatTheServerSent()
    {
        var data = TestFiles.Random(100_000, seed: 34);
        var corrupt = TestFiles.Random(data.Length, seed: 35);
        var name = $"blobs/{TestFiles.Sha256(data)}/{data.Length}";
        Server.SetResource(name, corrupt);
        var target = Path.Combine(Work.FullName, "unverified.bin");

        var result = await Programs.RunAsync("bytestream", "get", name, target, "--no-verify", "--address", Url);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
            Assert.That(result.StandardOutput, Does.Contain("digest not checked (--no-verify)"));
            Assert.That(TestFiles.Sha256(target), Is.EqualTo(TestFiles.Sha256(corrupt)));
        });
    }

    [TestCase("get")]
    [TestCase("download")]
    public async Task CutMidway_NoRetriesLeft_ExitCode3_LeavesNoFile(string command)
    {
        var data = TestFiles.Random(3 * 1024 * 1024, seed: 36);
        var name = $"main/blobs/{TestFiles.Sha256(data)}/{data.Length}";
        Server.SetResource(name, data);

        // The first Read is cut after 1 MiB (progress, so it resumes); the resumed one fails before any byte.
        Server.Faults.CutRead(1024 * 1024);
        Server.Faults.CutRead(0);
        var target = Path.Combine(Work.FullName, "cut.bin");

        var result = await Programs.RunAsync("bytestream", command, name, target, "--retries", "0", "--address", Url);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(3), result.ToString());
            Assert.That(result.ErrorLines, Has.Length.EqualTo(1), result.ToString());
            Assert.That(result.StandardError, Does.Contain("UNAVAILABLE"));
            Assert.That(result.StandardOutput, Does.Contain("interrupted (UNAVAILABLE), resuming"), "it was cut after some bytes, not before");
            Assert.That(Work.GetFileSystemInfos(), Is.Empty, "neither FILE nor its partial file");
        });
    }

    [TestCase("get")]
    [TestCase("download")]
    public async Task StoppedBySignal_Midway_ExitCode130_LeavesNoFile(string command)
    {
        var data = TestFiles.Random(3 * 1024 * 1024, seed: 37);
        var name = $"main/blobs/{TestFiles.Sha256(data)}/{data.Length}";
        Server.SetResource(name, data);

        // The server stops sending after 1 MiB, so the download is surely in flight, its partial file written, when it is stopped.
        Server.Faults.StallNext(ByteStreamMethod.Read, afterBytes: 1024 * 1024);
        var target = Path.Combine(Work.FullName, "stopped.bin");
        using var download = Programs.Start("bytestream", command, name, target, "--address", Url);
        await Eventually.UntilAsync(
            () => Work.GetFiles("*.partial") is [{ Length: >= 1024 * 1024 }],
            "the partial file to hold the first MiB");

        download.Terminate();
        var stopped = await download.WaitAsync();

        Assert.Multiple(() =>
        {
            Assert.That(stopped.ExitCode, Is.EqualTo(130), stopped.ToString());
            Assert.That(stopped.ErrorLines, Has.Length.EqualTo(1), stopped.ToString());
            Assert.That(Work.GetFileSystemInfos(), Is.Empty, "neither FILE nor its partial file");
        });
    }

    [TestCase("main/uploads/0e0e0e0e-0000-4000-8000-000000000001/blobs/00ff/2", TestName = "UploadName")]
    [TestCase("files/app.tar", TestName = "NotABlobName")]
    public async Task Get_NotABlobReadName_ExitCode2_NoCall(string name)
    {
        var result = await Programs.RunAsync("bytestream", "get", name, Path.Combine(Work.FullName, "x.bin"), "--address", Url);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.ErrorLines, Has.Length.EqualTo(1), result.ToString());
            Assert.That(Server.Calls, Is.Empty);
            Assert.That(Work.GetFileSystemInfos(), Is.Empty);
        });
    }
}
