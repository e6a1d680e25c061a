using Bytestream.Client.Tests.Infrastructure;
using Bytestream.Testing;

namespace Bytestream.Cli.Tests;

/// <summary>
/// get and download into what is not a plain file path: a device and a FIFO are written in place (as root, get NAME
/// /dev/null used to replace the machine's /dev/null with a regular file; a FIFO's reader got nothing), and a symbolic
/// link is followed, so the file it names is replaced and the link stays.
/// </summary>
[Platform(Exclude = "Win")]
public class ToolDestinationTests : InProcessServerFixture
{
    [TestCase("get")]
    [TestCase("download")]
    public async Task CharacterDevice_WrittenInPlace_StaysADevice(string command)
    {
        if (!SpecialFiles.CanMakeDevices)
        {
            Assert.Ignore("mknod needs root: the device node cannot be made");
        }

        var data = TestFiles.Random(2 * 1024 * 1024 + 7, seed: 40);
        var name = StoreBlob(data);
        var device = Path.Combine(Work.FullName, "null");
        SpecialFiles.MakeNullDevice(device);

        var result = await Programs.RunAsync("bytestream", command, name, device, "--address", Url);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
            Assert.That(result.StandardOutput, Does.Contain("2,097,159 bytes"));
            Assert.That(SpecialFiles.TypeOf(device), Is.EqualTo("character special file"));
            Assert.That(Work.GetFileSystemInfos().Select(f => f.Name), Is.EqualTo(new[] { "null" }), "no partial file");
        });
    }

    [TestCase("get")]
    [TestCase("download")]
    public async Task Fifo_ItsReaderGetsEveryByteInOrder_StaysAFifo(string command)
    {
        var data = TestFiles.Random(3 * 1024 * 1024 + 11, seed: 41);
        var name = StoreBlob(data);
        var fifo = Path.Combine(Work.FullName, "pipe");
        SpecialFiles.MakeFifo(fifo);
        var reader = ReadAllAsync(fifo);

        var result = await Programs.RunAsync("bytestream", command, name, fifo, "--address", Url);
        var received = await ReaderResultAsync(reader, fifo);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
            Assert.That(received.Length, Is.EqualTo(data.Length));
            Assert.That(TestFiles.Sha256(received), Is.EqualTo(TestFiles.Sha256(data)));
            Assert.That(SpecialFiles.TypeOf(fifo), Is.EqualTo("fifo"));
            Assert.That(Work.GetFileSystemInfos().Select(f => f.Name), Is.EqualTo(new[] { "pipe" }), "no partial file");
        });
    }

    [Test]
    public async Task Fifo_CorruptBlob_ExitCode6_SaysTheBytesWrittenDoNotMatch()
    {
        var data = TestFiles.Random(256 * 1024, seed: 42);
        var name = $"main/blobs/{TestFiles.Sha256(data)}/{data.Length}";
        Server.SetResource(name, TestFiles.Random(data.Length, seed: 43));
        var fifo = Path.Combine(Work.FullName, "pipe");
        SpecialFiles.MakeFifo(fifo);
        var reader = ReadAllAsync(fifo);

        var result = await Programs.RunAsync("bytestream", "get", name, fifo, "--address", Url);
        await ReaderResultAsync(reader, fifo);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(6), result.ToString());
            Assert.That(result.ErrorLines, Has.Length.EqualTo(1), result.ToString());
            Assert.That(result.StandardError, Does.Contain("the bytes already written to pipe do not match the blob's digest"));
            Assert.That(result.StandardError, Does.Not.Contain("nothing was handed out as valid"));
        });
    }

    [TestCase("get")]
    [TestCase("download")]
    public async Task SymbolicLink_TheFileItNamesIsReplaced_TheLinkStaysALink(string command)
    {
        var data = TestFiles.Random(1024 * 1024 + 3, seed: 44);
        var name = StoreBlob(data);
        var elsewhere = Directory.CreateDirectory(Path.Combine(Work.FullName, "elsewhere"));
        var target = TestFiles.Write(elsewhere.FullName, "target.bin", [1, 2, 3]);
        var link = Path.Combine(Work.FullName, "link.bin");
        File.CreateSymbolicLink(link, Path.Combine("elsewhere", "target.bin"));

        var result = await Programs.RunAsync("bytestream", command, name, link, "--address", Url);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
            Assert.That(SpecialFiles.TypeOf(link), Is.EqualTo("symbolic link"));
            Assert.That(new FileInfo(link).LinkTarget, Is.EqualTo(Path.Combine("elsewhere", "target.bin")));
            Assert.That(TestFiles.Sha256(target), Is.EqualTo(TestFiles.Sha256(data)));
            Assert.That(elsewhere.GetFiles().Select(f => f.Name), Is.EqualTo(new[] { "target.bin" }), "no partial file left");
        });
    }

    [Test]
    public async Task SymbolicLink_PartialFileBesideTheTarget_NotBesideTheLink_StoppedLeavesTheTargetAsItWas()
    {
        var data = TestFiles.Random(3 * 1024 * 1024, seed: 45);
        var name = StoreBlob(data);
        var elsewhere = Directory.CreateDirectory(Path.Combine(Work.FullName, "elsewhere"));
        var target = TestFiles.Write(elsewhere.FullName, "target.bin", [1, 2, 3]);
        var links = Directory.CreateDirectory(Path.Combine(Work.FullName, "links"));
        var link = Path.Combine(links.FullName, "link.bin");
        File.CreateSymbolicLink(link, target);

        // The server stops sending after 1 MiB, so the download is surely in flight, its partial file written, when it is looked at.
        Server.Faults.StallNext(ByteStreamMethod.Read, afterBytes: 1024 * 1024);
        using var download = Programs.Start("bytestream", "get", name, link, "--address", Url);
        await Eventually.UntilAsync(
            () => elsewhere.GetFiles("*.partial") is [{ Length: >= 1024 * 1024 }],
            "the partial file beside the target to hold the first MiB");
        var besideTheLink = links.GetFileSystemInfos().Select(f => f.Name).ToArray();
        download.Terminate();
        var stopped = await download.WaitAsync();

        Assert.Multiple(() =>
        {
            Assert.That(besideTheLink, Is.EqualTo(new[] { "link.bin" }), "no partial file beside the link");
            Assert.That(stopped.ExitCode, Is.EqualTo(130), stopped.ToString());
            Assert.That(File.ReadAllBytes(target), Is.EqualTo(new byte[] { 1, 2, 3 }), "the target as it was");
            Assert.That(elsewhere.GetFiles().Select(f => f.Name), Is.EqualTo(new[] { "target.bin" }), "the partial file removed");
            Assert.That(SpecialFiles.TypeOf(link), Is.EqualTo("symbolic link"));
        });
    }

    [TestCase("get")]
    [TestCase("download")]
    public async Task Directory_ExitCode2_BeforeAnyCall(string command)
    {
        var name = StoreBlob([1, 2, 3]);

        var result = await Programs.RunAsync("bytestream", command, name, Work.FullName, "--address", Url);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.StandardError, Does.Contain("is a directory"));
            Assert.That(Server.Calls, Is.Empty);
            Assert.That(Work.GetFileSystemInfos(), Is.Empty);
        });
    }

    private static Task<byte[]> ReadAllAsync(string fifo) => Task.Run(() =>
    {
        // Opening a FIFO for reading waits for its writer, the tool.
        using var stream = new FileStream(fifo, FileMode.Open, FileAccess.Read);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    /// <summary>The reader's bytes; a reader still waiting is ended (by opening the FIFO here) and the test fails.</summary>
    private static async Task<byte[]> ReaderResultAsync(Task<byte[]> reader, string fifo)
    {
        try
        {
            return await reader.DefaultTimeout();
        }
        catch (TimeoutException)
        {
            using (new FileStream(fifo, FileMode.Open, FileAccess.Write))
            {
                throw new AssertionException("the FIFO's reader never got to the end of the data: the tool did not open or did not close it");
            }
        }
    }

    private string StoreBlob(byte[] data)
    {
        var name = $"main/blobs/{TestFiles.Sha256(data)}/{data.Length}";
        Server.SetResource(name, data);
        return name;
    }
}
