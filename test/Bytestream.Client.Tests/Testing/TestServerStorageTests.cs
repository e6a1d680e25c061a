using Bytestream.Testing;
using Google.ByteStream;
using Grpc.Core;
using Stub = Google.ByteStream.ByteStream.ByteStreamClient;

namespace Bytestream.Client.Tests.Testing;

/// <summary>
/// <see cref="ByteStreamTestServerOptions.StorageDirectory"/>: resources and partial uploads as files that
/// outlive the server, and names that would leave the directory refused. Each test has its own directory
/// and starts its own servers on it.
/// </summary>
public class TestServerStorageTests : TestServerFixture
{
    private DirectoryInfo _sandbox = null!;
    private string _root = null!;

    [SetUp]
    public void CreateDirectories()
    {
        // The root sits inside a sandbox, so a test can check that nothing was written next to it.
        _sandbox = Directory.CreateTempSubdirectory("bytestream-storage-");
        _root = Path.Combine(_sandbox.FullName, "root");
    }

    [TearDown]
    public void DeleteDirectories() => _sandbox.Delete(recursive: true);

    [Test]
    public async Task FinishedUpload_IsAFileNamedLikeTheResource_AndReadsBackInRanges()
    {
        await using var server = await StartAsync(new ByteStreamTestServerOptions { ReadChunkSize = 10_000 });
        using var channel = server.CreateChannel();
        var stub = new Stub(channel);
        var data = TestData.Random(100_000);

        await WriteAsync(stub, Requests("files/data.bin", data));
        var whole = await ReadMessagesAsync(stub, "files/data.bin");
        var range = await ReadMessagesAsync(stub, "files/data.bin", offset: 12_345, limit: 54_321);

        Assert.Multiple(() =>
        {
            Assert.That(TestData.Sha256(File.ReadAllBytes(Path.Combine(_root, "files", "data.bin"))), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(TestData.Sha256(whole.Data), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(whole.Messages, Has.All.LessThanOrEqualTo(10_000));
            Assert.That(range.Data, Is.EqualTo(data.AsSpan(12_345, 54_321).ToArray()));
            Assert.That(server.TryGetResource("files/data.bin", out var held), Is.True, "a complete resource");
            Assert.That(held, Is.EqualTo(data));
            Assert.That(Directory.Exists(Path.Combine(_root, FileStorageReserved, "uploads", "files")), Is.False, "the finished upload's folders are gone");
        });
    }

    [Test]
    public async Task PartialUpload_SurvivesARestart_AndResumesFromItsCommittedSize()
    {
        var data = TestData.Random(300_000, seed: 2);
        const string name = "main/uploads/5e5e5e5e-0000-4000-8000-000000000001/blobs/abc/300000";
        await using (var first = await StartAsync())
        {
            using var channel = first.CreateChannel();
            await WriteAsync(new Stub(channel), Requests(name, data.AsMemory(0, 120_000), finish: false));
        }

        await using var second = await StartAsync();
        using var channel2 = second.CreateChannel();
        var stub = new Stub(channel2);
        var status = await stub.QueryWriteStatusAsync(new QueryWriteStatusRequest { ResourceName = name }).ResponseAsync.DefaultTimeout();
        var response = await WriteAsync(stub, Requests(name, data.AsMemory((int)status.CommittedSize), offset: status.CommittedSize));

        Assert.Multiple(() =>
        {
            Assert.That(status.CommittedSize, Is.EqualTo(120_000));
            Assert.That(status.Complete, Is.False);
            Assert.That(response.CommittedSize, Is.EqualTo(data.Length));
            Assert.That(TestData.Sha256(File.ReadAllBytes(Path.Combine(_root, "main", "blobs", "abc", "300000"))), Is.EqualTo(TestData.Sha256(data)), "the REAPI blob name is a file too");
            Assert.That(second.TryGetWriteStatus(name, out var committed, out var complete), Is.True, "the server knows the upload");
            Assert.That(committed, Is.EqualTo(data.Length));
            Assert.That(complete, Is.True);
        });
    }

    [Test]
    public async Task FilesAlreadyInTheDirectory_AreServedAsCompleteResources()
    {
        var data = TestData.Random(5_000, seed: 3);
        Directory.CreateDirectory(Path.Combine(_root, "dir", ".hidden"));
        await File.WriteAllBytesAsync(Path.Combine(_root, "dir", ".hidden", "file"), data);

        await using var server = await StartAsync();
        using var channel = server.CreateChannel();
        var stub = new Stub(channel);
        var read = await ReadMessagesAsync(stub, "dir/.hidden/file");
        var status = await stub.QueryWriteStatusAsync(new QueryWriteStatusRequest { ResourceName = "dir/.hidden/file" }).ResponseAsync.DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(read.Data, Is.EqualTo(data));
            Assert.That((status.CommittedSize, status.Complete), Is.EqualTo((5_000L, true)));
        });
    }

    [Test]
    public async Task FilesAddedAfterTheStart_AreServedAsCompleteResources()
    {
        var data = TestData.Random(5_000, seed: 4);
        await using var server = await StartAsync();
        using var channel = server.CreateChannel();
        var stub = new Stub(channel);
        Directory.CreateDirectory(Path.Combine(_root, "later"));
        await File.WriteAllBytesAsync(Path.Combine(_root, "later", "file"), data);

        var read = await ReadMessagesAsync(stub, "later/file");
        var status = await stub.QueryWriteStatusAsync(new QueryWriteStatusRequest { ResourceName = "later/file" }).ResponseAsync.DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(read.Data, Is.EqualTo(data));
            Assert.That(status.CommittedSize, Is.EqualTo(5_000L));
            Assert.That(status.Complete, Is.True);
            Assert.That(server.TryGetResource("later/file", out var held), Is.True);
            Assert.That(held, Is.EqualTo(data));
        });
    }

    [Test]
    public async Task FileAddedAfterTheStartThroughALink_IsNotServed()
    {
        var outside = Path.Combine(_sandbox.FullName, "outside");
        await File.WriteAllBytesAsync(outside, TestData.Random(100));
        await using var server = await StartAsync();
        File.CreateSymbolicLink(Path.Combine(_root, "link"), outside);

        Assert.That(server.TryGetResource("link", out _), Is.False);
    }

    [TestCase("../outside")]
    [TestCase("a/../../outside")]
    [TestCase("a/..")]
    [TestCase("./a")]
    [TestCase("/etc/passwd")]
    [TestCase("a//b")]
    [TestCase("a/")]
    [TestCase("a\\..\\..\\outside")]
    [TestCase("a\0b")]
    [TestCase(".bytestream/uploads/x")]
    public async Task NameThatWouldLeaveTheDirectory_IsInvalidArgument_ForEveryMethod(string name)
    {
        await using var server = await StartAsync();
        using var channel = server.CreateChannel();
        var stub = new Stub(channel);

        var write = await StatusOf(() => WriteAsync(stub, Requests(name, TestData.Random(1_000))));
        var read = await StatusOf(() => ReadMessagesAsync(stub, name));
        var query = await StatusOf(() => stub.QueryWriteStatusAsync(new QueryWriteStatusRequest { ResourceName = name }).ResponseAsync.DefaultTimeout());

        Assert.Multiple(() =>
        {
            Assert.That((write, read, query), Is.EqualTo((StatusCode.InvalidArgument, StatusCode.InvalidArgument, StatusCode.InvalidArgument)));
            Assert.That(_sandbox.GetFileSystemInfos().Select(i => i.Name), Is.EquivalentTo(new[] { "root" }), "nothing was written beside the root");
            Assert.That(Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories), Is.Empty, "nothing was written inside it either");
            Assert.Throws<ArgumentException>(() => server.SetResource(name, new byte[] { 1 }));
        });
    }

    [Test]
    public async Task NameThroughASymbolicLink_IsInvalidArgument_AndNothingIsWrittenWhereItPoints()
    {
        var elsewhere = Directory.CreateDirectory(Path.Combine(_sandbox.FullName, "elsewhere"));
        Directory.CreateDirectory(_root);
        Directory.CreateSymbolicLink(Path.Combine(_root, "link"), elsewhere.FullName);
        await using var server = await StartAsync();
        using var channel = server.CreateChannel();
        var stub = new Stub(channel);

        var write = await StatusOf(() => WriteAsync(stub, Requests("link/x", TestData.Random(1_000))));

        Assert.Multiple(() =>
        {
            Assert.That(write, Is.EqualTo(StatusCode.InvalidArgument));
            Assert.That(elsewhere.GetFileSystemInfos(), Is.Empty);
        });
    }

    [Test]
    public async Task NameWhosePathIsAnotherResourcesFile_IsFailedPrecondition()
    {
        await using var server = await StartAsync();
        using var channel = server.CreateChannel();
        var stub = new Stub(channel);
        await WriteAsync(stub, Requests("a", TestData.Random(10)));

        var nested = await StatusOf(() => WriteAsync(stub, Requests("a/b", TestData.Random(10))));
        var stillThere = await ReadMessagesAsync(stub, "a");

        Assert.Multiple(() =>
        {
            Assert.That(nested, Is.EqualTo(StatusCode.FailedPrecondition));
            Assert.That(stillThere.Data, Is.EqualTo(TestData.Random(10)));
        });
    }

    [Test]
    public async Task Overwrite_WhileAReadIsRunning_TheReadSendsTheOldContent()
    {
        await using var server = await StartAsync(new ByteStreamTestServerOptions { ReadChunkSize = 1_000 });
        using var channel = server.CreateChannel();
        var stub = new Stub(channel);
        var before = TestData.Random(50_000, seed: 4);
        var after = TestData.Random(50_000, seed: 5);
        server.SetResource("doc", before);
        using var call = stub.Read(new ReadRequest { ResourceName = "doc" });
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout(), Is.True);
        using var received = new MemoryStream();
        call.ResponseStream.Current.Data.WriteTo(received);

        await WriteAsync(stub, Requests("doc", after));
        while (await call.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout())
        {
            call.ResponseStream.Current.Data.WriteTo(received);
        }

        Assert.Multiple(() =>
        {
            Assert.That(TestData.Sha256(received.ToArray()), Is.EqualTo(TestData.Sha256(before)));
            Assert.That(File.ReadAllBytes(Path.Combine(_root, "doc")), Is.EqualTo(after));
        });
    }

    [Test]
    public async Task Reset_DeletesTheFilesOfResourcesAndUploads()
    {
        await using var server = await StartAsync();
        using var channel = server.CreateChannel();
        var stub = new Stub(channel);
        server.SetResource("kept/not", TestData.Random(10));
        await WriteAsync(stub, Requests("partial/upload", TestData.Random(1_000), finish: false));

        server.Reset();

        Assert.Multiple(() =>
        {
            Assert.That(Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories), Is.Empty);
            Assert.That(server.TryGetWriteStatus("partial/upload", out _, out _), Is.False);
        });
    }

    [Test]
    public void StorageDirectory_Empty_Throws()
    {
        var options = new ByteStreamTestServerOptions();

        Assert.Throws<ArgumentException>(() => options.StorageDirectory = " ");
    }

    [Test]
    public async Task DefaultServer_KeepsEveryNameInMemory_EvenOnesThatAreNoPath()
    {
        await using var server = await ByteStreamTestServer.StartAsync().DefaultTimeout();
        using var channel = server.CreateChannel();

        await WriteAsync(new Stub(channel), Requests("../not/a/path", TestData.Random(10)));

        Assert.That(server.TryGetResource("../not/a/path", out var data), Is.True, "a complete resource");
        Assert.That(data, Is.EqualTo(TestData.Random(10)));
    }

    private const string FileStorageReserved = ".bytestream";

    private Task<ByteStreamTestServer> StartAsync(ByteStreamTestServerOptions? options = null)
    {
        options ??= new ByteStreamTestServerOptions();
        options.StorageDirectory = _root;
        return ByteStreamTestServer.StartAsync(options).DefaultTimeout();
    }
}
