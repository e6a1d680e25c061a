using Bytestream.Cli;

namespace Bytestream.Cli.Tests.Destinations;

/// <summary>
/// Where get and download write, decided from what is at the path: a partial file beside a regular (or missing) file,
/// beside the file a link names, and nothing but the device or the FIFO itself for those. Renaming over /dev/null
/// replaced the machine's /dev/null.
/// </summary>
[Platform(Exclude = "Win")]
public class DownloadDestinationTests
{
    private DirectoryInfo _work = null!;

    [SetUp]
    public void CreateDirectory() => _work = Directory.CreateTempSubdirectory("bytestream-cli-destination-");

    [TearDown]
    public void DeleteDirectory() => _work.Delete(recursive: true);

    [Test]
    public void Missing_ThroughAPartialFile_AtItsOwnPath()
    {
        var path = Path.Combine(_work.FullName, "new.bin");

        var destination = DownloadDestination.Resolve(path);

        Assert.That(destination, Is.EqualTo(new DownloadDestination(path, InPlace: false)));
    }

    [Test]
    public void RegularFile_ThroughAPartialFile_AtItsOwnPath()
    {
        var path = TestFiles.Write(_work.FullName, "old.bin", [1, 2, 3]);

        var destination = DownloadDestination.Resolve(path);

        Assert.That(destination, Is.EqualTo(new DownloadDestination(path, InPlace: false)));
    }

    [Test]
    public void CharacterDevice_InPlace()
    {
        var destination = DownloadDestination.Resolve("/dev/null");

        Assert.That(destination, Is.EqualTo(new DownloadDestination("/dev/null", InPlace: true)));
    }

    [Test]
    public void Fifo_InPlace()
    {
        var path = Path.Combine(_work.FullName, "pipe");
        SpecialFiles.MakeFifo(path);

        var destination = DownloadDestination.Resolve(path);

        Assert.That(destination, Is.EqualTo(new DownloadDestination(path, InPlace: true)));
    }

    [Test]
    public void LinkToARegularFile_TheFileItNames()
    {
        var target = TestFiles.Write(Directory.CreateDirectory(Path.Combine(_work.FullName, "elsewhere")).FullName, "target.bin", [1]);
        var link = Path.Combine(_work.FullName, "link.bin");
        File.CreateSymbolicLink(link, Path.Combine("elsewhere", "target.bin"));

        var destination = DownloadDestination.Resolve(link);

        Assert.That(destination, Is.EqualTo(new DownloadDestination(target, InPlace: false)));
    }

    [Test]
    public void ChainOfLinks_TheFileTheLastOneNames()
    {
        var target = TestFiles.Write(_work.FullName, "target.bin", [1]);
        var middle = Path.Combine(_work.FullName, "middle.bin");
        var link = Path.Combine(_work.FullName, "link.bin");
        File.CreateSymbolicLink(middle, target);
        File.CreateSymbolicLink(link, middle);

        var destination = DownloadDestination.Resolve(link);

        Assert.That(destination, Is.EqualTo(new DownloadDestination(target, InPlace: false)));
    }

    [Test]
    public void LinkToNothing_TheFileItNames_Created()
    {
        var link = Path.Combine(_work.FullName, "dangling.bin");
        File.CreateSymbolicLink(link, "not-yet.bin");

        var destination = DownloadDestination.Resolve(link);

        Assert.That(destination, Is.EqualTo(new DownloadDestination(Path.Combine(_work.FullName, "not-yet.bin"), InPlace: false)));
    }

    [Test]
    public void LinkToADevice_TheDevice_InPlace()
    {
        var link = Path.Combine(_work.FullName, "null");
        File.CreateSymbolicLink(link, "/dev/null");

        var destination = DownloadDestination.Resolve(link);

        Assert.That(destination, Is.EqualTo(new DownloadDestination("/dev/null", InPlace: true)));
    }

    [Test]
    public void Directory_RefusedAsAUsageError()
    {
        var exception = Assert.Throws<UsageException>(() => DownloadDestination.Resolve(_work.FullName));

        Assert.That(exception?.Message, Does.Contain("is a directory"));
    }
}
