using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Bytestream.Client.Tests.Reliability;
using Grpc.Core;
using Grpc.Net.Client;
using RawByteStreamClient = Google.ByteStream.ByteStream.ByteStreamClient;

namespace Bytestream.Client.Tests.Interop;

/// <summary>
/// Interoperability with Google's own ByteStream server (Go, shared/peers/go): round trips in
/// every upload and download style, resumes through the server's fault injection, and the
/// server's quirks (resource_name required on every request, 0-byte uploads refused, no
/// overwrite unless allowed). Skipped, with the reason, where the peer is not installed.
/// </summary>
[TestFixture]
[Category("Interop")]
public sealed class GoPeerInteropTests
{
    private const int Chunk = 64 * 1024;
    private const int FaultSize = 4 * 1024 * 1024;
    private const int WriteFaultAfter = 1_000_000;
    private const int WriteFaultTimes = 3;
    private const int ReadFaultAfter = 1_500_000;
    private const int ReadFaultTimes = 2;

    /// <summary>Bytes the Go server commits of a Write cut at <see cref="WriteFaultAfter"/>: the whole chunks before the one that crosses it.</summary>
    private const int CommittedBeforeWriteFault = WriteFaultAfter / Chunk * Chunk;

    private static readonly int[] Sizes = [1, Chunk - 1, Chunk, Chunk + 1, (5 * 1024 * 1024) + 3];

    private readonly Dictionary<PeerMode, GoPeerServer> _servers = [];
    private readonly Dictionary<PeerMode, GrpcChannel> _channels = [];
    private readonly List<string> _resourceNames = [];

    public enum PeerMode
    {
        Default,
        RawNames,
        AllowOverwrite,
        WriteFaults,
        RawNamesWriteFaults,
        ReadFaults,
    }

    public enum UploadKind
    {
        SeekableStream,
        NonSeekableStream,
        Memory,
        WriteStreamCopyTo,
    }

    public enum DownloadKind
    {
        DownloadAsync,
        OpenReadCopyTo,
        ReadAllBytes,
    }

    [OneTimeSetUp]
    public async Task StartServersAsync()
    {
        var peerDir = GoPeerServer.LocateOrIgnore();

        // One process per mode: the fault counters and the overwrite rule are server-wide.
        foreach (var mode in Enum.GetValues<PeerMode>())
        {
            var server = await GoPeerServer.StartAsync(peerDir, Flags(mode)).DefaultTimeout();
            _servers[mode] = server;
            _channels[mode] = server.CreateChannel();
        }
    }

    [OneTimeTearDown]
    public async Task StopServersAsync()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        foreach (var server in _servers.Values)
        {
            await server.DisposeAsync();
        }
    }

    [SetUp]
    public void ForgetResourceNames() => _resourceNames.Clear();

    [TearDown]
    public void WriteServerLogOnFailure()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status != NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            return;
        }

        // Only the lines about this test's resources: the servers are shared by the fixture.
        foreach (var (mode, server) in _servers)
        {
            foreach (var line in server.ReadLog().Split('\n'))
            {
                if (_resourceNames.Exists(n => line.Contains($"\"{n}\"", StringComparison.Ordinal)))
                {
                    TestContext.Out.WriteLine($"bsserver[{mode}]: {line}");
                }
            }
        }
    }

    // ----- Plumbing: the raw generated stub against every server process -----

    [Test]
    public void QueryWriteStatus_RawStubUnknownResource_ThrowsNotFound([Values] PeerMode mode)
    {
        var stub = Stub(mode);
        var name = NewName();

        var ex = Assert.ThrowsAsync<RpcException>(() => RawByteStreamCalls.QueryWriteStatusAsync(stub, name).DefaultTimeout());

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.NotFound));
    }

    [Test]
    public async Task Write_RawStubResourceNameOnEveryRequest_ReadsBackSameBytes()
    {
        var stub = Stub(PeerMode.RawNames);
        var name = NewName();
        var data = RandomBytes((3 * Chunk) + 5, seed: 1);

        var committed = await RawByteStreamCalls.WriteAsync(stub, name, data, Chunk).DefaultTimeout();
        var stored = await RawByteStreamCalls.ReadAsync(stub, name).DefaultTimeout();

        Assert.That(committed, Is.EqualTo(data.Length));
        Assert.That(Sha256(stored), Is.EqualTo(Sha256(data)));
    }

    // ----- Round trips -----

    [Test]
    public async Task Upload_SizeAndSourceKind_StoresExactBytes([ValueSource(nameof(Sizes))] int size, [Values] UploadKind kind)
    {
        var name = NewName();
        var data = RandomBytes(size, seed: size);

        var result = await UploadAsync(Client(PeerMode.Default), kind, name, data);

        Assert.That(result.CommittedSize, Is.EqualTo(size));
        Assert.That(result.BytesSent, Is.EqualTo(size));
        Assert.That(result.Resumes, Is.Zero);
        Assert.That(Sha256(await StoredAsync(PeerMode.Default, name)), Is.EqualTo(Sha256(data)));
    }

    [Test]
    public async Task Download_SizeAndKind_ReturnsExactBytes([ValueSource(nameof(Sizes))] int size, [Values] DownloadKind kind)
    {
        var name = NewName();
        var data = RandomBytes(size, seed: size + 1);
        await RawByteStreamCalls.WriteAsync(Stub(PeerMode.Default), name, data, Chunk).DefaultTimeout();

        var downloaded = await DownloadAsync(Client(PeerMode.Default), kind, name);

        Assert.That(downloaded, Has.Length.EqualTo(size));
        Assert.That(Sha256(downloaded), Is.EqualTo(Sha256(data)));
    }

    [Test]
    public void UploadAsync_EmptyData_ThrowsServersFailedPrecondition()
    {
        // Google's server refuses to create an empty resource (after sending its WriteResponse).
        var client = Client(PeerMode.Default);
        var name = NewName();

        var ex = Assert.ThrowsAsync<RpcException>(() => client.UploadAsync(name, ReadOnlyMemory<byte>.Empty).DefaultTimeout());

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.FailedPrecondition));
    }

    [Test]
    public void ReadAllBytesAsync_UnknownResource_ThrowsNotFound()
    {
        var client = Client(PeerMode.Default);
        var name = NewName();

        var ex = Assert.ThrowsAsync<RpcException>(() => client.ReadAllBytesAsync(name).DefaultTimeout());

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.NotFound));
    }

    // ----- Reads with offset and limit (the Go server answers a limited Read with one message) -----

    [TestCase(0, 1)]
    [TestCase(Chunk - 1, Chunk + 2)]
    [TestCase(1_000_000, 0)]
    [TestCase((3 * 1024 * 1024) - 5, 100)]
    public async Task OpenRead_OffsetAndLimit_ReturnsThatRange(int offset, int limit)
    {
        var (name, data) = await SeedAsync(PeerMode.Default, (3 * 1024 * 1024) + 5);
        using var destination = new MemoryStream();

        await using (var stream = Client(PeerMode.Default).OpenRead(name, offset, limit))
        {
            await stream.CopyToAsync(destination).DefaultTimeout();
        }

        Assert.That(Sha256(destination.ToArray()), Is.EqualTo(Sha256(Range(data, offset, limit))));
    }

    [TestCase(0, 1)]
    [TestCase(Chunk - 1, Chunk + 2)]
    [TestCase(1_000_000, 0)]
    [TestCase((3 * 1024 * 1024) - 5, 100)]
    public async Task DownloadAsync_OffsetAndLimit_ReturnsThatRange(int offset, int limit)
    {
        var (name, data) = await SeedAsync(PeerMode.Default, (3 * 1024 * 1024) + 5);
        using var destination = new MemoryStream();

        var count = await Client(PeerMode.Default).DownloadAsync(name, destination, new DownloadOptions { Offset = offset, Limit = limit }).DefaultTimeout();

        var expected = Range(data, offset, limit);
        Assert.That(count, Is.EqualTo(expected.Length));
        Assert.That(Sha256(destination.ToArray()), Is.EqualTo(Sha256(expected)));
    }

    [Test]
    public async Task DownloadAsync_OffsetAtEnd_ReturnsNoBytes()
    {
        // Google's server answers a Read at the end with an empty OK stream (no OUT_OF_RANGE).
        var (name, data) = await SeedAsync(PeerMode.Default, Chunk + 1);
        using var destination = new MemoryStream();

        var count = await Client(PeerMode.Default).DownloadAsync(name, destination, new DownloadOptions { Offset = data.Length }).DefaultTimeout();

        Assert.That(count, Is.Zero);
        Assert.That(destination.Length, Is.Zero);
    }

    // ----- Write status -----

    [Test]
    public async Task QueryWriteStatusAsync_FinishedUpload_ReportsCompleteWithSize()
    {
        var (name, data) = await SeedAsync(PeerMode.Default, (2 * Chunk) + 7);

        var status = await Client(PeerMode.Default).QueryWriteStatusAsync(name).DefaultTimeout();

        Assert.That(status, Is.EqualTo(new WriteStatus(data.Length, Complete: true)));
    }

    [Test]
    public void QueryWriteStatusAsync_UnknownResource_ThrowsNotFound()
    {
        var client = Client(PeerMode.Default);
        var name = NewName();

        var ex = Assert.ThrowsAsync<RpcException>(() => client.QueryWriteStatusAsync(name).DefaultTimeout());

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.NotFound));
    }

    [Test]
    public async Task QueryWriteStatusAsync_UploadCutByFault_ReportsCommittedPrefix()
    {
        var name = NewName();
        var data = RandomBytes(FaultSize, seed: 7);
        var cut = Assert.ThrowsAsync<RpcException>(() => RawByteStreamCalls.WriteAsync(Stub(PeerMode.WriteFaults), name, data, Chunk).DefaultTimeout());

        var status = await Client(PeerMode.WriteFaults).QueryWriteStatusAsync(name).DefaultTimeout();

        Assert.That(cut!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(status, Is.EqualTo(new WriteStatus(CommittedBeforeWriteFault, Complete: false)));
    }

    // ----- Resumes through the server's fault injection -----

    [Test]
    public async Task Upload_ThroughWriteFaults_ResumesEachFaultAndStoresExactBytes(
        [Values(PeerMode.WriteFaults, PeerMode.RawNamesWriteFaults)] PeerMode mode, [Values] UploadKind kind)
    {
        var name = NewName();
        var data = RandomBytes(FaultSize, seed: 11);

        var result = await UploadAsync(Client(mode), kind, name, data);

        Assert.That(result.Resumes, Is.EqualTo(WriteFaultTimes));
        Assert.That(result.CommittedSize, Is.EqualTo(FaultSize));
        Assert.That(result.BytesSent, Is.GreaterThanOrEqualTo(FaultSize));
        Assert.That(CountFaults(mode, "Write", name), Is.EqualTo(WriteFaultTimes));
        Assert.That(Sha256(await StoredAsync(mode, name)), Is.EqualTo(Sha256(data)));
    }

    [Test]
    public async Task UploadAsync_ResumeExistingUploadAfterCut_SendsOnlyTheRest(
        [Values(UploadKind.SeekableStream, UploadKind.NonSeekableStream, UploadKind.Memory)] UploadKind kind)
    {
        // An earlier "process" (the raw stub) left the upload cut by the first fault.
        var name = NewName();
        var data = RandomBytes(FaultSize, seed: 13);
        Assert.ThrowsAsync<RpcException>(() => RawByteStreamCalls.WriteAsync(Stub(PeerMode.WriteFaults), name, data, Chunk).DefaultTimeout());

        var result = await UploadAsync(Client(PeerMode.WriteFaults), kind, name, data, new UploadOptions { ResumeExistingUpload = true });

        // The remaining faults still cut the resumed upload; the committed prefix is never sent again.
        Assert.That(result.Resumes, Is.EqualTo(WriteFaultTimes - 1));
        Assert.That(result.CommittedSize, Is.EqualTo(FaultSize));
        Assert.That(result.BytesSent, Is.GreaterThanOrEqualTo(FaultSize - CommittedBeforeWriteFault));
        Assert.That(CountFaults(PeerMode.WriteFaults, "Write", name), Is.EqualTo(WriteFaultTimes));
        Assert.That(Sha256(await StoredAsync(PeerMode.WriteFaults, name)), Is.EqualTo(Sha256(data)));
    }

    [Test]
    public async Task UploadAsync_ResumeExistingUploadOfFinishedResource_SendsNothing()
    {
        var (name, data) = await SeedAsync(PeerMode.Default, (2 * Chunk) + 3);

        var result = await Client(PeerMode.Default).UploadAsync(name, data, new UploadOptions { ResumeExistingUpload = true }).DefaultTimeout();

        Assert.That(result.BytesSent, Is.Zero);
        Assert.That(result.CommittedSize, Is.EqualTo(data.Length));
    }

    [Test]
    public async Task Download_ThroughReadFaults_ResumesAndReturnsExactBytes([Values] DownloadKind kind)
    {
        var (name, data) = await SeedAsync(PeerMode.ReadFaults, FaultSize);

        var downloaded = await DownloadAsync(Client(PeerMode.ReadFaults), kind, name);

        Assert.That(CountFaults(PeerMode.ReadFaults, "Read", name), Is.EqualTo(ReadFaultTimes));
        Assert.That(Sha256(downloaded), Is.EqualTo(Sha256(data)));
    }

    [Test]
    public async Task DownloadAsync_OffsetAndLimitThroughReadFault_ResumesWithRemainingLimit()
    {
        // The first Read (one 3,000,000-byte message) is cut at 1,500,000; the resumed Read must ask
        // for the remaining 1,500,000 bytes only, which the server sends without another fault.
        const int offset = 100_000;
        const int limit = 3_000_000;
        var (name, data) = await SeedAsync(PeerMode.ReadFaults, FaultSize);
        using var destination = new MemoryStream();

        var count = await Client(PeerMode.ReadFaults).DownloadAsync(name, destination, new DownloadOptions { Offset = offset, Limit = limit }).DefaultTimeout();

        Assert.That(count, Is.EqualTo(limit));
        Assert.That(CountFaults(PeerMode.ReadFaults, "Read", name), Is.EqualTo(1));
        Assert.That(Sha256(destination.ToArray()), Is.EqualTo(Sha256(Range(data, offset, limit))));
    }

    // ----- Overwrite rules -----

    [Test]
    public async Task UploadAsync_FinishedResourceWithoutAllowOverwrite_ThrowsInvalidArgument()
    {
        var (name, _) = await SeedAsync(PeerMode.Default, Chunk + 1);
        var client = Client(PeerMode.Default);

        var ex = Assert.ThrowsAsync<RpcException>(() => client.UploadAsync(name, RandomBytes(Chunk, seed: 3)).DefaultTimeout());

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
    }

    [Test]
    public async Task Upload_AllowOverwriteSecondUpload_ReplacesResource([Values] UploadKind kind)
    {
        var (name, _) = await SeedAsync(PeerMode.AllowOverwrite, (3 * Chunk) + 1);
        var replacement = RandomBytes((2 * Chunk) - 9, seed: 5);

        var result = await UploadAsync(Client(PeerMode.AllowOverwrite), kind, name, replacement);

        Assert.That(result.CommittedSize, Is.EqualTo(replacement.Length));
        Assert.That(Sha256(await StoredAsync(PeerMode.AllowOverwrite, name)), Is.EqualTo(Sha256(replacement)));
    }

    // ----- REAPI compressed-blobs through a server that knows nothing of them (names are opaque to it) -----

    [Test]
    public async Task UploadAsync_CompressedNameCutWhereTheServerRefusesToRewind_StartsAgainUnderANewUploadId([Values] UploadKind kind)
    {
        // The connection dies after 1 MiB. Google's server keeps what it received and, as the ByteStream spec says,
        // takes a new Write only at the committed size: the compressed upload, which cannot resume mid-stream, must
        // start again at 0 under a new upload id of the same blob.
        await using var proxy = new DroppingTcpProxy(_servers[PeerMode.Default].Address);
        using var channel = GrpcChannel.ForAddress(proxy.Address);
        var client = new ByteStreamClient(channel, new ByteStreamClientOptions { ChunkSize = Chunk, InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });
        var data = RandomBytes(FaultSize, seed: 21 + (int)kind);
        var name = NewCompressedUploadName(data);
        proxy.DropOnceAfter(1024 * 1024);

        var result = await UploadAsync(client, kind, name, data);

        var finished = FinishedWrites(PeerMode.Default, Sha256Lower(data)).Single();
        var stored = await StoredAsync(PeerMode.Default, finished);
        Assert.Multiple(() =>
        {
            Assert.That(proxy.Dropped, Is.EqualTo(1));
            Assert.That(result.CommittedSize, Is.EqualTo(data.Length));
            Assert.That(result.Resumes, Is.EqualTo(1));
            Assert.That(finished, Is.Not.EqualTo(name));
            Assert.That(BlobResourceName.Parse(finished), Is.EqualTo(BlobResourceName.Parse(name)), "the same blob");
            Assert.That(stored, Has.Length.EqualTo(result.CompressedSize), "the server holds the frame, as sent");
            Assert.That(Sha256(TestData.Unzstd(stored)), Is.EqualTo(Sha256(data)));
        });
    }

    [Test]
    public async Task ReadAllBytesAsync_CompressedNameTheServerHoldsAsZstd_DecodesAndChecksTheDigest()
    {
        var data = TestData.Text((3 * 1024 * 1024) + 5);
        var name = NewCompressedUploadName(data);
        await RawByteStreamCalls.WriteAsync(Stub(PeerMode.Default), name, TestData.Zstd(data), Chunk).DefaultTimeout();

        var back = await Client(PeerMode.Default).ReadAllBytesAsync(name).DefaultTimeout();

        Assert.That(Sha256(back), Is.EqualTo(Sha256(data)));
    }

    [Test]
    public async Task ReadAllBytesAsync_CompressedReadResumedByAServerThatCountsCompressedOffsets_ThrowsNeverSplices()
    {
        // The Go server resumes at read_offset in the bytes it holds (the zstd stream), not in the blob's bytes as
        // REAPI says: the resumed call starts in the middle of the frame, which the client must refuse.
        var data = RandomBytes(FaultSize, seed: 22);
        var name = NewCompressedUploadName(data);
        await RawByteStreamCalls.WriteAsync(Stub(PeerMode.ReadFaults), name, TestData.Zstd(data), Chunk).DefaultTimeout();

        var error = Assert.ThrowsAsync<ByteStreamException>(() => Client(PeerMode.ReadFaults).ReadAllBytesAsync(name).DefaultTimeout());

        Assert.That(error!.Message, Does.Contain(name));
    }

    // ----- Helpers -----

    private static string Sha256Lower(byte[] data) => TestData.Sha256(data);

    /// <summary>The names of the Write calls that finished (OK) on the server of <paramref name="mode"/> and carry <paramref name="hash"/>, from its log.</summary>
    private List<string> FinishedWrites(PeerMode mode, string hash) =>
        [.. Regex.Matches(_servers[mode].ReadLog(), "/Write \"(?<name>[^\"]+)\" bytes=\\d+ \\S+ -> OK")
            .Select(m => m.Groups["name"].Value)
            .Where(n => n.Contains(hash, StringComparison.Ordinal))];

    /// <summary>A new REAPI upload name for <paramref name="data"/> under compressed-blobs/zstd/: the client compresses it.</summary>
    private string NewCompressedUploadName(byte[] data)
    {
        var name = $"interop/uploads/{Guid.NewGuid()}/compressed-blobs/zstd/{Sha256Lower(data)}/{data.Length}";
        _resourceNames.Add(name);
        return name;
    }

    private static string[] Flags(PeerMode mode) => mode switch
    {
        PeerMode.Default => ["-v"],
        PeerMode.RawNames => ["-v", "-fill-name=false"],
        PeerMode.AllowOverwrite => ["-v", "-allow-overwrite"],
        PeerMode.WriteFaults => ["-v", "-fail-write-after", $"{WriteFaultAfter}", "-fail-write-times", $"{WriteFaultTimes}"],
        PeerMode.RawNamesWriteFaults => ["-v", "-fill-name=false", "-fail-write-after", $"{WriteFaultAfter}", "-fail-write-times", $"{WriteFaultTimes}"],
        PeerMode.ReadFaults => ["-v", "-fail-read-after", $"{ReadFaultAfter}", "-fail-read-times", $"{ReadFaultTimes}"],
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    private static async Task<UploadResult> UploadAsync(ByteStreamClient client, UploadKind kind, string name, byte[] data, UploadOptions? options = null)
    {
        switch (kind)
        {
            case UploadKind.SeekableStream:
                using (var source = new MemoryStream(data, writable: false))
                {
                    return await client.UploadAsync(name, source, options).DefaultTimeout();
                }

            case UploadKind.NonSeekableStream:
                using (var source = new ForwardOnlyReadStream(data))
                {
                    return await client.UploadAsync(name, source, options).DefaultTimeout();
                }

            case UploadKind.Memory:
                return await client.UploadAsync(name, data.AsMemory(), options).DefaultTimeout();

            case UploadKind.WriteStreamCopyTo:
                await using (var destination = client.OpenWrite(name, options))
                using (var source = new MemoryStream(data, writable: false))
                {
                    await source.CopyToAsync(destination).DefaultTimeout();
                    return await destination.CompleteAsync().DefaultTimeout();
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    private static async Task<byte[]> DownloadAsync(ByteStreamClient client, DownloadKind kind, string name)
    {
        switch (kind)
        {
            case DownloadKind.DownloadAsync:
                using (var destination = new MemoryStream())
                {
                    var count = await client.DownloadAsync(name, destination).DefaultTimeout();
                    Assert.That(count, Is.EqualTo(destination.Length), "DownloadAsync's count");
                    return destination.ToArray();
                }

            case DownloadKind.OpenReadCopyTo:
                using (var destination = new MemoryStream())
                {
                    await using var source = client.OpenRead(name);
                    await source.CopyToAsync(destination).DefaultTimeout();
                    return destination.ToArray();
                }

            case DownloadKind.ReadAllBytes:
                return await client.ReadAllBytesAsync(name).DefaultTimeout();

            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    private ByteStreamClient Client(PeerMode mode) => new(_channels[mode], new ByteStreamClientOptions
    {
        ChunkSize = Chunk, // many messages per MiB: faults land mid-stream quickly
        InitialBackoff = TimeSpan.FromMilliseconds(10),
        MaxBackoff = TimeSpan.FromMilliseconds(100),
    });

    private RawByteStreamClient Stub(PeerMode mode) => new(_channels[mode]);

    private string NewName()
    {
        var name = $"interop/{TestContext.CurrentContext.Test.MethodName}/{Guid.NewGuid():N}";
        _resourceNames.Add(name);
        return name;
    }

    /// <summary>Stores random data under a new name with the raw stub (independent of the client under test).</summary>
    private async Task<(string Name, byte[] Data)> SeedAsync(PeerMode mode, int size)
    {
        var name = NewName();
        var data = RandomBytes(size, seed: size ^ 0x5eed);
        await RawByteStreamCalls.WriteAsync(Stub(mode), name, data, Chunk).DefaultTimeout();
        return (name, data);
    }

    /// <summary>What the server holds, read with the raw stub in 1 MiB messages.</summary>
    private Task<byte[]> StoredAsync(PeerMode mode, string name) =>
        RawByteStreamCalls.ReadAsync(Stub(mode), name).DefaultTimeout();

    /// <summary>
    /// The Go server logs each RPC (with -v) before it sends the status, so by the time the client
    /// saw a fault its line is in the log.
    /// </summary>
    private int CountFaults(PeerMode mode, string method, string name)
    {
        var prefix = $"/google.bytestream.ByteStream/{method} \"{name}\" ";
        var count = 0;
        foreach (var line in _servers[mode].ReadLog().Split('\n'))
        {
            if (line.Contains(prefix, StringComparison.Ordinal) && line.TrimEnd().EndsWith("-> Unavailable", StringComparison.Ordinal))
            {
                count++;
            }
        }

        return count;
    }

    private static byte[] RandomBytes(int size, int seed)
    {
        var data = new byte[size];
        new Random(seed).NextBytes(data);
        return data;
    }

    private static byte[] Range(byte[] data, int offset, int limit) =>
        data.AsSpan(offset, limit == 0 ? data.Length - offset : Math.Min(limit, data.Length - offset)).ToArray();

    private static string Sha256(byte[] data) => Convert.ToHexString(SHA256.HashData(data));
}
