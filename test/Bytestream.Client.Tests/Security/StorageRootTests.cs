using Bytestream.Testing;
using Google.ByteStream;
using Google.Protobuf;
using Grpc.Core;
using Stub = Google.ByteStream.ByteStream.ByteStreamClient;

namespace Bytestream.Client.Tests.Security;

/// <summary>
/// The file storage that <c>bytestream serve</c> runs on (<see cref="ByteStreamTestServerOptions.StorageDirectory"/>)
/// never writes outside its root, whatever resource names clients send: a randomized fuzz of hostile names
/// (traversals, absolute paths, separators of both kinds, encodings, look-alike dots, NULs, long names) through
/// Write, Read, QueryWriteStatus and the client's uploads. (The tool's own command-line tests cover <c>serve</c> end to end.)
/// </summary>
[Category("Security")]
public class StorageRootTests
{
    private const int Names = 300;

    private static readonly string[] Segments =
    [
        "..", ".", "", "...", "%2e%2e", "..%2f..", "%2e%2e%2f", "..\\..", "\\", "~", "a", "blobs", "uploads", ".bytestream",
        "\u2024\u2024", "\uff0e\uff0e", "..\u0000", "a\u0000b", "con", "lpt1", "*", "?", ":", "x:", new string('x', 300),
    ];

    private static readonly string[] Prefixes = ["", "", "", "/", "//", "\\", "\\\\server\\share\\", "C:\\", "/tmp/", "/etc/", "file:///", "../", "..\\"];

    private DirectoryInfo _sandbox = null!;
    private string _root = null!;

    [SetUp]
    public void CreateDirectories()
    {
        _sandbox = Directory.CreateTempSubdirectory("bytestream-root-fuzz-");
        _root = Path.Combine(_sandbox.FullName, "root");
        Directory.CreateDirectory(Path.Combine(_sandbox.FullName, "sibling"));
        File.WriteAllText(Path.Combine(_sandbox.FullName, "sibling", "marker.txt"), "untouched");
    }

    [TearDown]
    public void DeleteDirectories() => _sandbox.Delete(recursive: true);

    [Test]
    public async Task HostileResourceNames_EveryMethod_NothingIsWrittenOutsideTheRoot()
    {
        await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { StorageDirectory = _root }).DefaultTimeout();
        using var channel = server.CreateChannel();
        var stub = new Stub(channel);
        var client = new ByteStreamClient(channel, new ByteStreamClientOptions { MaxRetryAttempts = 0 });
        var escapes = new List<string>();
        var accepted = 0;
        var rng = new Random(20261130);
        var names = Enumerable.Range(0, Names).Select(_ => HostileName(rng)).Distinct().ToList();

        foreach (var (name, index) in names.Select((n, i) => (n, i)))
        {
            var marker = $"escape-{index}";
            var data = System.Text.Encoding.ASCII.GetBytes(marker);
            if (await IgnoreRpcFailureAsync(() => WriteAsync(stub, name.Replace("ESCAPE", marker, StringComparison.Ordinal), data)))
            {
                accepted++;
            }

            await IgnoreRpcFailureAsync(() => ReadAsync(stub, name));
            await IgnoreRpcFailureAsync(() => stub.QueryWriteStatusAsync(new QueryWriteStatusRequest { ResourceName = name }).ResponseAsync.DefaultTimeout());
            if (index % 10 == 0)
            {
                await IgnoreRpcFailureAsync(() => client.UploadAsync(name, data).DefaultTimeout());
            }

            escapes.AddRange(new[] { "/tmp", "/etc", Path.GetTempPath() }
                .Select(directory => Path.Combine(directory, marker))
                .Where(File.Exists));
        }

        var outside = Directory.EnumerateFileSystemEntries(_sandbox.FullName, "*", SearchOption.AllDirectories)
            .Where(path => !IsInside(path, _root))
            .Select(path => Path.GetRelativePath(_sandbox.FullName, path))
            .Order(StringComparer.Ordinal);
        Assert.Multiple(() =>
        {
            Assert.That(names, Has.Count.GreaterThan(Names / 2), "the fuzz made distinct names");
            Assert.That(accepted, Is.InRange(1, names.Count - 1), "some names are stored (inside the root), others refused");
            Assert.That(outside, Is.EqualTo(new[] { "sibling", Path.Combine("sibling", "marker.txt") }), "nothing beside the root changed");
            Assert.That(File.ReadAllText(Path.Combine(_sandbox.FullName, "sibling", "marker.txt")), Is.EqualTo("untouched"));
            Assert.That(escapes, Is.Empty, "nothing was written to absolute paths");
            Assert.That(Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories).Select(Path.GetFullPath), Has.All.StartsWith(_root + Path.DirectorySeparatorChar));
        });
    }

    /// <summary>Prefix + 1 to 5 segments joined by '/' or '\', sometimes ending in a marker file name.</summary>
    private static string HostileName(Random rng)
    {
        var segments = Enumerable.Range(0, rng.Next(1, 6)).Select(_ => Segments[rng.Next(Segments.Length)]).ToList();
        if (rng.Next(2) == 0)
        {
            segments.Add("ESCAPE");
        }

        var separator = rng.Next(4) == 0 ? "\\" : "/";
        return Prefixes[rng.Next(Prefixes.Length)] + string.Join(separator, segments);
    }

    private static bool IsInside(string path, string root) =>
        Path.GetFullPath(path) == root || Path.GetFullPath(path).StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static async Task WriteAsync(Stub stub, string name, byte[] data)
    {
        using var call = stub.Write();
        await call.RequestStream.WriteAsync(new WriteRequest { ResourceName = name, WriteOffset = 0, Data = ByteString.CopyFrom(data) }).DefaultTimeout();
        await call.RequestStream.WriteAsync(new WriteRequest { ResourceName = name, WriteOffset = data.Length, FinishWrite = true }).DefaultTimeout();
        await call.RequestStream.CompleteAsync().DefaultTimeout();
        await call.ResponseAsync.DefaultTimeout();
    }

    private static async Task ReadAsync(Stub stub, string name)
    {
        using var call = stub.Read(new ReadRequest { ResourceName = name });
        while (await call.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout())
        {
        }
    }

    /// <summary>Runs a call whose refusal is fine; returns whether it succeeded.</summary>
    private static async Task<bool> IgnoreRpcFailureAsync(Func<Task> action)
    {
        try
        {
            await action();
            return true;
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException or ArgumentException)
        {
            // Refusing a name is the point; only what lands on disk is checked.
            return false;
        }
    }
}
