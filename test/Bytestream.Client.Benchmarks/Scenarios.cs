using System.Buffers;
using Bytestream.Client.Internal;
using Google.ByteStream;
using Google.Protobuf;
using Grpc.Net.Client;
using RawClient = Google.ByteStream.ByteStream.ByteStreamClient;

namespace Bytestream.Client.Benchmarks;

/// <summary>The transfers measured: every public path of the library, and the raw generated stub doing the same work.</summary>
internal sealed class Scenarios(GrpcChannel channel, string dataFile, int chunkSize)
{
    public const string UploadName = "bench/upload";
    public const string DownloadName = "bench/download";

    private readonly RawClient _raw = new(channel);
    private readonly ByteStreamClient _client = new(channel, new ByteStreamClientOptions { ChunkSize = chunkSize });

    public ByteStreamClient Client => _client;

    public static IReadOnlyList<(string Name, bool Upload, bool Raw)> All { get; } =
    [
        ("raw stub Write loop", true, true),
        ("UploadAsync(FileStream)", true, false),
        ("UploadAsync(non-seekable)", true, false),
        ("OpenWrite + CopyToAsync", true, false),
        ("raw stub Read drain", false, true),
        ("DownloadAsync", false, false),
        ("OpenRead + CopyToAsync", false, false),
    ];

    public Task<long> RunAsync(string scenario) => scenario switch
    {
        "raw stub Write loop" => RawUploadAsync(),
        "UploadAsync(FileStream)" => UploadFileAsync(),
        "UploadAsync(non-seekable)" => UploadNonSeekableAsync(),
        "OpenWrite + CopyToAsync" => OpenWriteCopyAsync(),
        "raw stub Read drain" => RawDownloadAsync(),
        "DownloadAsync" => _client.DownloadAsync(DownloadName, Stream.Null),
        "OpenRead + CopyToAsync" => OpenReadCopyAsync(),
        _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null),
    };

    /// <summary>What a careful hand-written client does: one pooled buffer, UnsafeWrap, resource name on every request.</summary>
    private async Task<long> RawUploadAsync()
    {
        await using var file = OpenFile();
        using var call = _raw.Write();
        var buffer = ArrayPool<byte>.Shared.Rent(chunkSize);
        long offset = 0;
        try
        {
            int read;
            while ((read = await StreamReading.FillAsync(file, buffer.AsMemory(0, chunkSize), CancellationToken.None)) > 0)
            {
                await call.RequestStream.WriteAsync(new WriteRequest
                {
                    ResourceName = UploadName,
                    WriteOffset = offset,
                    Data = UnsafeByteOperations.UnsafeWrap(buffer.AsMemory(0, read)),
                });
                offset += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        await call.RequestStream.WriteAsync(new WriteRequest { ResourceName = UploadName, WriteOffset = offset, FinishWrite = true });
        await call.RequestStream.CompleteAsync();
        var response = await call;
        return response.CommittedSize == offset ? offset : throw new InvalidOperationException($"committed {response.CommittedSize} of {offset}");
    }

    private async Task<long> UploadFileAsync()
    {
        await using var file = OpenFile();
        return (await _client.UploadAsync(UploadName, file)).CommittedSize;
    }

    private async Task<long> UploadNonSeekableAsync()
    {
        await using var file = new NonSeekableStream(OpenFile());
        return (await _client.UploadAsync(UploadName, file)).CommittedSize;
    }

    private async Task<long> OpenWriteCopyAsync()
    {
        await using var file = OpenFile();
        await using var remote = _client.OpenWrite(UploadName);
        await file.CopyToAsync(remote);
        return (await remote.CompleteAsync()).CommittedSize;
    }

    private async Task<long> RawDownloadAsync()
    {
        using var call = _raw.Read(new ReadRequest { ResourceName = DownloadName });
        long total = 0;
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            var data = call.ResponseStream.Current.Data;
            await Stream.Null.WriteAsync(data.Memory);
            total += data.Length;
        }

        return total;
    }

    private async Task<long> OpenReadCopyAsync()
    {
        await using var remote = _client.OpenRead(DownloadName);
        await remote.CopyToAsync(Stream.Null);
        return remote.Position;
    }

    private FileStream OpenFile() => new(dataFile, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);

    /// <summary>A stream that hides that it can seek: the upload must keep a replay buffer.</summary>
    private sealed class NonSeekableStream(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
