using System.Text.Json;

namespace Bytestream.Cli.Tests;

/// <summary>
/// <c>bytestream serve --root</c> in one process for the fixture, and the client commands against it, each a
/// process of its own: data checked by SHA-256 on every path (upload, the file under the root, download, cat).
/// </summary>
public class ToolRoundTripTests : ServedRootFixture
{
    [Test]
    public async Task UploadStatusDownloadCat_RoundTrip_EveryCopyHasTheSameSha256()
    {
        var data = TestFiles.Random(3 * 1024 * 1024 + 17);
        var source = TestFiles.Write(Work.FullName, "source.bin", data);
        var downloaded = Path.Combine(Work.FullName, "downloaded.bin");

        var upload = await Programs.RunAsync("bytestream", "upload", source, "files/source.bin", "--address", Server.Url, "--chunk-size", "256K");
        var status = await Programs.RunAsync("bytestream", "status", "files/source.bin", "--address", Server.Url);
        var download = await Programs.RunAsync("bytestream", "download", "files/source.bin", downloaded, "--address", Server.Url);
        var cat = await Programs.RunAsync("bytestream", "cat", "files/source.bin", "--address", Server.Url);

        Assert.Multiple(() =>
        {
            Assert.That((upload.ExitCode, status.ExitCode, download.ExitCode, cat.ExitCode), Is.EqualTo((0, 0, 0, 0)), $"{upload}\n{status}\n{download}\n{cat}");
            Assert.That(upload.StandardOutput, Does.Contain("3,145,745 bytes committed"));
            Assert.That(upload.StandardOutput, Does.Contain("upload source.bin: 100%"), "plain progress lines when stdout is not a terminal");
            Assert.That((upload.StandardOutput + download.StandardOutput + status.StandardOutput).Contains('\u001b', StringComparison.Ordinal), Is.False, "no control codes when stdout is not a terminal");
            Assert.That(status.StandardOutput, Does.Contain("files/source.bin: 3,145,745 bytes committed, complete"));
            Assert.That(TestFiles.Sha256(Path.Combine(Root, "files", "source.bin")), Is.EqualTo(TestFiles.Sha256(data)), "serve keeps the resource as a file under its root");
            Assert.That(TestFiles.Sha256(downloaded), Is.EqualTo(TestFiles.Sha256(data)));
            Assert.That(TestFiles.Sha256(cat.StandardOutputBytes), Is.EqualTo(TestFiles.Sha256(data)), "cat writes the bytes and nothing else");
            Assert.That(upload.StandardError + status.StandardError + download.StandardError + cat.StandardError, Is.Empty);
        });
    }

    [Test]
    public async Task UploadAndDownload_Json_PrintOneObjectEach()
    {
        var data = TestFiles.Random(100_000, seed: 2);
        var source = TestFiles.Write(Work.FullName, "json.bin", data);
        var target = Path.Combine(Work.FullName, "json-back.bin");

        var upload = await Programs.RunAsync("bytestream", "upload", source, "json/blob", "--address", Server.Url, "--json");
        var download = await Programs.RunAsync("bytestream", "--json", "download", "json/blob", target, "--address", Server.Url);
        var status = await Programs.RunAsync("bytestream", "status", "json/blob", "--address", Server.Url, "--json");

        using var uploaded = JsonDocument.Parse(upload.StandardOutput);
        using var downloadedJson = JsonDocument.Parse(download.StandardOutput);
        using var statusJson = JsonDocument.Parse(status.StandardOutput);
        Assert.Multiple(() =>
        {
            Assert.That(upload.StandardOutput.Trim().Split('\n'), Has.Length.EqualTo(1), "one JSON object, no progress lines");
            Assert.That(uploaded.RootElement.GetProperty("committedSize").GetInt64(), Is.EqualTo(100_000));
            Assert.That(uploaded.RootElement.GetProperty("bytesSent").GetInt64(), Is.EqualTo(100_000));
            Assert.That(downloadedJson.RootElement.GetProperty("bytes").GetInt64(), Is.EqualTo(100_000));
            Assert.That(statusJson.RootElement.GetProperty("complete").GetBoolean(), Is.True);
            Assert.That(TestFiles.Sha256(target), Is.EqualTo(TestFiles.Sha256(data)));
        });
    }

    [Test]
    public async Task DownloadAndCat_OffsetAndLimit_ReturnThatRange()
    {
        var data = TestFiles.Random(2 * 1024 * 1024, seed: 3);
        var source = TestFiles.Write(Work.FullName, "range.bin", data);
        var target = Path.Combine(Work.FullName, "range-part.bin");
        var upload = await Programs.RunAsync("bytestream", "upload", source, "range/blob", "--address", Server.Url);

        var download = await Programs.RunAsync("bytestream", "download", "range/blob", target, "--offset", "1M", "--limit", "1000", "--address", Server.Url);
        var cat = await Programs.RunAsync("bytestream", "cat", "range/blob", "--offset", "100", "--address", Server.Url);

        Assert.Multiple(() =>
        {
            Assert.That((upload.ExitCode, download.ExitCode, cat.ExitCode), Is.EqualTo((0, 0, 0)), $"{upload}\n{download}\n{cat}");
            Assert.That(File.ReadAllBytes(target), Is.EqualTo(data.AsSpan(1024 * 1024, 1000).ToArray()));
            Assert.That(TestFiles.Sha256(cat.StandardOutputBytes), Is.EqualTo(TestFiles.Sha256(data.AsSpan(100))));
        });
    }

    [TestCase("../escape")]
    [TestCase("files/../../escape")]
    [TestCase("/etc/escape")]
    public async Task Upload_ResourceNameThatLeavesTheRoot_IsRefusedWithExitCode2(string name)
    {
        var source = TestFiles.Write(Work.FullName, "escape.bin", TestFiles.Random(1000, seed: 4));

        var upload = await Programs.RunAsync("bytestream", "upload", source, name, "--address", Server.Url);

        Assert.Multiple(() =>
        {
            Assert.That(upload.ExitCode, Is.EqualTo(2), upload.ToString());
            Assert.That(upload.ErrorLines, Has.Length.EqualTo(1), upload.ToString());
            Assert.That(upload.StandardError, Does.Contain("INVALID_ARGUMENT"));
            Assert.That(File.Exists(Path.Combine(Work.FullName, "escape")), Is.False);
            Assert.That(File.Exists("/etc/escape"), Is.False);
        });
    }
}
