using System.Text.Json;
using Bytestream.Client;
using Bytestream.Client.Tests.Infrastructure;

namespace Bytestream.Cli.Tests;

/// <summary>
/// <c>put</c> and <c>get</c> against <c>bytestream serve --root</c> (one process for the fixture), and
/// <c>upload</c>/<c>download</c> of compressed names: every file that comes back has the SHA-256 it went with.
/// The zstd cases need a server that stores compressed-blobs uploads uncompressed and serves them zstd.
/// </summary>
public class ToolPutGetTests : ServedRootFixture
{
    [TestCase("sha256", "none", "none")]
    [TestCase("blake3", "none", "none")]
    [TestCase("sha256", "zstd", "zstd")]
    [TestCase("blake3", "zstd", "zstd")]
    [TestCase("sha256", "zstd", "none")]
    [TestCase("blake3", "none", "zstd")]
    public async Task PutThenGet_RoundTrip_FileComesBackWithTheSameSha256(string digestFunction, string putCompress, string getCompress)
    {
        // An instance of its own per case: a blob that an earlier case stored must not answer for this one.
        var instance = $"main/{digestFunction}-{putCompress}-{getCompress}";
        var data = TestFiles.Compressible(2 * 1024 * 1024 + 5, seed: 20);
        var source = TestFiles.Write(Work.FullName, $"put-{digestFunction}-{putCompress}-{getCompress}.txt", data);
        var target = Path.Combine(Work.FullName, $"got-{digestFunction}-{putCompress}-{getCompress}.txt");
        var expected = await BlobResourceName.ComputeFileAsync(instance, source, digestFunction == "sha256" ? null : digestFunction).DefaultTimeout();

        var put = await Programs.RunAsync("bytestream", "put", source, "--instance", instance, "--digest-function", digestFunction, "--compress", putCompress, "--address", Server.Url);
        var name = put.StandardOutput.Trim();
        var get = await Programs.RunAsync("bytestream", "get", name, target, "--compress", getCompress, "--address", Server.Url);

        Assert.Multiple(() =>
        {
            Assert.That((put.ExitCode, get.ExitCode), Is.EqualTo((0, 0)), $"{put}\n{get}");
            Assert.That(name, Is.EqualTo(expected.ToReadResourceName()), "the plain blobs/ read name, whatever went on the wire");
            Assert.That(name, Does.StartWith(digestFunction == "blake3" ? $"{instance}/blobs/blake3/" : $"{instance}/blobs/{TestFiles.Sha256(data)}/"));
            Assert.That(put.StandardError, putCompress == "zstd" ? Does.Match(@"sent \(zstd, ratio [2-9]\.\d:1\)") : Does.Not.Contain("ratio"));
            Assert.That(get.StandardOutput, getCompress == "zstd"
                ? Does.Match(@"2,097,157 bytes \(zstd, ratio (1\.[5-9]|2\.\d):1\), digest checked")
                : Does.Contain("2,097,157 bytes, digest checked"), "the ratio of what came over the wire (16 letters at random: about 2:1)");
            Assert.That(File.Exists(target) ? TestFiles.Sha256(target) : "no file", Is.EqualTo(TestFiles.Sha256(data)));
            Assert.That(Directory.GetFiles(Work.FullName, "*.partial"), Is.Empty);
        });
    }

    [Test]
    public async Task Put_PrintsTheBlobReadName_OfTheFilesSha256_AndTheSummaryOnStderr()
    {
        var data = TestFiles.Random(1024 * 1024 + 3, seed: 21);
        var source = TestFiles.Write(Work.FullName, "named.bin", data);

        var put = await Programs.RunAsync("bytestream", "put", source, "--instance", "ci/linux", "--address", Server.Url, "--chunk-size", "256K");

        var name = $"ci/linux/blobs/{TestFiles.Sha256(data)}/{data.Length}";
        Assert.Multiple(() =>
        {
            Assert.That(put.ExitCode, Is.EqualTo(0), put.ToString());
            Assert.That(put.StandardOutput, Is.EqualTo(name + Environment.NewLine), "stdout is the name alone, for $(bytestream put ...)");
            Assert.That(put.StandardError, Does.Contain("put named.bin: 100%").And.Contain("put named.bin: 1,048,579 bytes (sha256), 1,048,579 sent, 0 resumes"));
            Assert.That(TestFiles.Sha256(Path.Combine(Root, "ci", "linux", "blobs", TestFiles.Sha256(data), "1048579")), Is.EqualTo(TestFiles.Sha256(data)), "stored under its read name");
        });
    }

    [Test]
    public async Task Put_Json_OneObjectWithTheName()
    {
        var data = TestFiles.Random(100_000, seed: 22);
        var source = TestFiles.Write(Work.FullName, "put-json.bin", data);

        var put = await Programs.RunAsync("bytestream", "put", source, "--instance", "", "--json", "--address", Server.Url);

        using var json = JsonDocument.Parse(put.StandardOutput);
        Assert.Multiple(() =>
        {
            Assert.That(put.ExitCode, Is.EqualTo(0), put.ToString());
            Assert.That(put.StandardOutput.Trim().Split('\n'), Has.Length.EqualTo(1), "one JSON object, no progress lines");
            Assert.That(put.StandardError, Is.Empty, "no summary and no progress with --json");
            Assert.That(json.RootElement.GetProperty("command").GetString(), Is.EqualTo("put"));
            Assert.That(json.RootElement.GetProperty("name").GetString(), Is.EqualTo($"blobs/{TestFiles.Sha256(data)}/100000"));
            Assert.That(json.RootElement.GetProperty("uploadName").GetString(), Does.Match($"^uploads/[0-9a-f-]{{36}}/blobs/{TestFiles.Sha256(data)}/100000$"));
            Assert.That(json.RootElement.GetProperty("size").GetInt64(), Is.EqualTo(100_000));
            Assert.That(json.RootElement.GetProperty("compressedSize").ValueKind, Is.EqualTo(JsonValueKind.Null));
        });
    }

    [Test]
    public async Task Serve_FileAddedToTheRootAfterTheStart_IsServed()
    {
        var data = TestFiles.Random(1024 * 1024 + 9, seed: 24);
        var name = $"late/blobs/{TestFiles.Sha256(data)}/{data.Length}";
        var path = Path.Combine(Root, "late", "blobs", TestFiles.Sha256(data), data.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, data);

        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(Server.Address);
        var client = new ByteStreamClient(channel);
        await Eventually.UntilAsync(async () => await SizeAsync(client, name) == data.Length, $"the server to serve {name} at its full size");
        var target = Path.Combine(Work.FullName, "late.bin");
        var get = await Programs.RunAsync("bytestream", "get", name, target, "--address", Server.Url);

        Assert.Multiple(() =>
        {
            Assert.That(get.ExitCode, Is.EqualTo(0), get.ToString());
            Assert.That(get.StandardOutput, Does.Contain("digest checked"));
            Assert.That(File.Exists(target) ? TestFiles.Sha256(target) : "no file", Is.EqualTo(TestFiles.Sha256(data)));
        });

        static async Task<long> SizeAsync(ByteStreamClient client, string name)
        {
            try
            {
                var status = await client.QueryWriteStatusAsync(name);
                return status.Complete ? status.CommittedSize : -1;
            }
            catch (Grpc.Core.RpcException exception) when (exception.StatusCode == Grpc.Core.StatusCode.NotFound)
            {
                return -1;
            }
        }
    }

    [Test]
    public async Task UploadAndDownload_CompressedNames_ShowTheRatio_AndEveryFormReadsBackTheSameSha256()
    {
        var data = TestFiles.Compressible(1024 * 1024, seed: 23);
        var source = TestFiles.Write(Work.FullName, "zstd.txt", data);
        var sha = TestFiles.Sha256(data);
        var plain = Path.Combine(Work.FullName, "zstd-plain.txt");
        var viaOption = Path.Combine(Work.FullName, "zstd-option.txt");
        var viaName = Path.Combine(Work.FullName, "zstd-name.txt");

        // One upload of a compressed name, one of a plain name with --compress; both store the same blob.
        var upload = await Programs.RunAsync("bytestream", "upload", source, $"z/uploads/{Guid.NewGuid()}/compressed-blobs/zstd/{sha}/{data.Length}", "--address", Server.Url);
        var uploadJson = await Programs.RunAsync("bytestream", "upload", source, $"z/uploads/{Guid.NewGuid()}/blobs/{sha}/{data.Length}", "--compress", "zstd", "--json", "--address", Server.Url);
        var download = await Programs.RunAsync("bytestream", "download", $"z/blobs/{sha}/{data.Length}", plain, "--address", Server.Url);
        var downloadOption = await Programs.RunAsync("bytestream", "download", $"z/blobs/{sha}/{data.Length}", viaOption, "--compress", "zstd", "--address", Server.Url);
        var downloadName = await Programs.RunAsync("bytestream", "download", $"z/compressed-blobs/zstd/{sha}/{data.Length}", viaName, "--address", Server.Url);

        Assert.Multiple(() =>
        {
            Assert.That((upload.ExitCode, uploadJson.ExitCode), Is.EqualTo((0, 0)), $"{upload}\n{uploadJson}");
            Assert.That(upload.StandardOutput, Does.Match(@"1,048,576 bytes committed, [\d,]+ sent \(zstd, ratio [2-9]\.\d:1\)"), "committed is the uncompressed size, sent the compressed bytes");
            Assert.That(upload.StandardOutput, Does.Contain("upload zstd.txt: 100%"), "progress counts uncompressed bytes up to the file's size");
            if (uploadJson.ExitCode == 0)
            {
                using var json = JsonDocument.Parse(uploadJson.StandardOutput);
                Assert.That(json.RootElement.GetProperty("committedSize").GetInt64(), Is.EqualTo(data.Length));
                Assert.That(json.RootElement.GetProperty("compressedSize").GetInt64(), Is.LessThan(data.Length * 3L / 4).And.EqualTo(json.RootElement.GetProperty("bytesSent").GetInt64()));
            }

            Assert.That((download.ExitCode, downloadOption.ExitCode, downloadName.ExitCode), Is.EqualTo((0, 0, 0)), $"{download}\n{downloadOption}\n{downloadName}");
            foreach (var file in new[] { plain, viaOption, viaName })
            {
                Assert.That(File.Exists(file) ? TestFiles.Sha256(file) : "no file", Is.EqualTo(sha), file);
            }

            Assert.That(downloadName.StandardOutput, Does.Contain("download zstd-name.txt: 100%").And.Contain("1,048,576 bytes"), "a compressed name's size is the uncompressed one");
            Assert.That(downloadOption.StandardOutput, Does.Match(@"1,048,576 bytes \(zstd, ratio (1\.[5-9]|2\.\d):1\)"), "16 letters at random: about 2:1");
            Assert.That(download.StandardOutput, Does.Contain("1,048,576 bytes, ").And.Not.Contain("ratio"), "a plain download shows no ratio");
        });
    }
}
