using Bytestream.Testing;

namespace Bytestream.Client.Tests.Read;

/// <summary>
/// The read tests' server sends small ReadResponses, so chunk-boundary cases stay small.
/// </summary>
public abstract class ReadServerTestBase : ServerTestBase
{
    /// <summary>Data bytes per ReadResponse the server sends.</summary>
    protected const int Chunk = 64 * 1024;

    protected override ByteStreamTestServerOptions ServerOptions => new() { ReadChunkSize = Chunk };

    /// <summary>Stores random data under a REAPI read name (so the client knows the expected length) and returns both.</summary>
    protected (string Name, byte[] Data) AddBlob(int size, int seed = 1)
    {
        var data = TestData.Random(size, seed);
        var name = TestData.BlobName(data);
        Server.SetResource(name, data);
        return (name, data);
    }

    /// <summary>Stores random data under a name that says nothing about its length.</summary>
    protected (string Name, byte[] Data) AddResource(int size, int seed = 1, string name = "plain/resource")
    {
        var data = TestData.Random(size, seed);
        Server.SetResource(name, data);
        return (name, data);
    }

    protected IReadOnlyList<ByteStreamCallRecord> ReadCalls => [.. Server.Calls.Where(c => c.Method == ByteStreamMethod.Read)];
}
