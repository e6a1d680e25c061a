using Bytestream.Client.Tests.Infrastructure;

// Every overload is called on purpose, the array-based ones and the misuses included.
#pragma warning disable CA1835, CA2022

namespace Bytestream.Client.Tests.Streams;

/// <summary>
/// What every <see cref="Stream"/> must do, whatever is behind it (modelled on dotnet/runtime's
/// StreamConformanceTests): every read and write mode moves the same bytes (checked by SHA-256), the
/// unsupported direction and members throw <see cref="NotSupportedException"/>, disposal is idempotent
/// and ends every later operation with <see cref="ObjectDisposedException"/>, a cancelled token cancels.
/// A derived fixture says which direction its stream supports and how to make one.
/// </summary>
public abstract class StreamConformanceTests
{
    /// <summary>Every way to read from a <see cref="Stream"/>.</summary>
    public enum ReadMode
    {
        ReadArray,
        ReadSpan,
        ReadAsyncArray,
        ReadAsyncMemory,
        ReadByte,
        BeginEndRead,
        CopyTo,
        CopyToAsync,
    }

    /// <summary>Every way to write to a <see cref="Stream"/>.</summary>
    public enum WriteMode
    {
        WriteArray,
        WriteSpan,
        WriteAsyncArray,
        WriteAsyncMemory,
        WriteByte,
        BeginEndWrite,
    }

    /// <summary>Buffer sizes the tests cycle through, so reads and writes straddle every chunk boundary.</summary>
    private static readonly int[] PieceSizes = [1, 7, 100, 999, 1000, 1001, 4096];

    /// <summary>Gets whether the stream under test reads (and then is not expected to write).</summary>
    protected abstract bool CanReadStream { get; }

    /// <summary>Gets whether the stream under test writes (and then is not expected to read).</summary>
    protected abstract bool CanWriteStream { get; }

    /// <summary>Gets the size of the data the tests move.</summary>
    protected virtual int DataSize => (5 * 1000) + 17;

    /// <summary>
    /// Creates a stream to test: a readable one yields exactly <paramref name="data"/>; a writable one
    /// starts empty and will be given <paramref name="data"/>.
    /// </summary>
    protected abstract Task<Stream> CreateStreamAsync(byte[] data);

    /// <summary>Ends the write of a writable stream (the way its kind does) and returns the bytes its target now holds.</summary>
    protected abstract Task<byte[]> FinishWriteAsync(Stream stream);

    [Test]
    public async Task Read_EachMode_ReturnsTheDataOrIsNotSupported([Values] ReadMode mode)
    {
        var data = TestData.Random(DataSize, seed: (int)mode);
        var stream = await CreateStreamAsync(data).DefaultTimeout();
        try
        {
            if (!CanReadStream)
            {
                Assert.That(async () => await ReadOnceAsync(mode, stream, new byte[10]), Throws.InstanceOf<NotSupportedException>());
                return;
            }

            var read = await ReadAllAsync(mode, stream).DefaultTimeout();

            Assert.That(read, Has.Length.EqualTo(data.Length));
            Assert.That(TestData.Sha256(read), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(stream.Position, Is.EqualTo(data.Length));
            Assert.That(await ReadOnceAsync(mode, stream, new byte[10]).DefaultTimeout(), Is.Zero, "at the end every mode returns 0");
        }
        finally
        {
            await DisposeQuietlyAsync(stream);
        }
    }

    [Test]
    public async Task Write_EachMode_StoresTheDataOrIsNotSupported([Values] WriteMode mode)
    {
        var data = TestData.Random(DataSize, seed: 100 + (int)mode);
        var stream = await CreateStreamAsync(data).DefaultTimeout();
        try
        {
            if (!CanWriteStream)
            {
                Assert.That(async () => await WriteOnceAsync(mode, stream, new byte[10]), Throws.InstanceOf<NotSupportedException>());
                return;
            }

            await WriteAllAsync(mode, stream, data).DefaultTimeout();
            Assert.That(stream.Position, Is.EqualTo(data.Length));
            var stored = await FinishWriteAsync(stream).DefaultTimeout();

            Assert.That(TestData.Sha256(stored), Is.EqualTo(TestData.Sha256(data)));
        }
        finally
        {
            await DisposeQuietlyAsync(stream);
        }
    }

    [Test]
    public async Task CanProperties_MatchTheStreamKind()
    {
        await using var stream = await CreateStreamAsync(TestData.Random(DataSize)).DefaultTimeout();

        Assert.That(stream.CanRead, Is.EqualTo(CanReadStream));
        Assert.That(stream.CanWrite, Is.EqualTo(CanWriteStream));
        Assert.That(stream.CanSeek, Is.False);
        Assert.That(stream.CanTimeout, Is.False);
        Assert.That(stream.Position, Is.Zero);
    }

    [Test]
    public async Task UnsupportedMembers_ThrowNotSupported()
    {
        await using var stream = await CreateStreamAsync(TestData.Random(DataSize)).DefaultTimeout();

        Assert.Throws<NotSupportedException>(() => _ = stream.Length);
        Assert.Throws<NotSupportedException>(() => stream.Position = 0);
        Assert.Throws<NotSupportedException>(() => stream.Seek(0, SeekOrigin.Begin));
        Assert.Throws<NotSupportedException>(() => stream.Seek(0, SeekOrigin.Current));
        Assert.Throws<NotSupportedException>(() => stream.SetLength(0));
        Assert.Throws<InvalidOperationException>(() => _ = stream.ReadTimeout);
        Assert.Throws<InvalidOperationException>(() => stream.WriteTimeout = 1);
    }

    [Test]
    public async Task BadBufferArguments_ThrowArgumentExceptions()
    {
        await using var stream = await CreateStreamAsync(TestData.Random(DataSize)).DefaultTimeout();
        var buffer = new byte[4];

        if (CanReadStream)
        {
            Assert.Throws<ArgumentNullException>(() => stream.Read(null!, 0, 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => stream.Read(buffer, -1, 1));
            Assert.Throws<ArgumentOutOfRangeException>(() => stream.Read(buffer, 0, 5));
            Assert.Throws<ArgumentOutOfRangeException>(() => stream.ReadAsync(buffer, 3, 2));
            Assert.Throws<ArgumentOutOfRangeException>(() => stream.BeginRead(buffer, 5, 0, null, null));
            Assert.Throws<ArgumentNullException>(() => stream.CopyTo(null!));
            Assert.Throws<ArgumentOutOfRangeException>(() => stream.CopyToAsync(new MemoryStream(), 0));
        }

        if (CanWriteStream)
        {
            Assert.Throws<ArgumentNullException>(() => stream.Write(null!, 0, 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => stream.Write(buffer, -1, 1));
            Assert.Throws<ArgumentOutOfRangeException>(() => stream.Write(buffer, 0, 5));
            Assert.Throws<ArgumentOutOfRangeException>(() => stream.WriteAsync(buffer, 3, 2));
            Assert.Throws<ArgumentOutOfRangeException>(() => stream.BeginWrite(buffer, 5, 0, null, null));
        }

        Assert.That(stream.Position, Is.Zero, "a rejected call moves nothing");
    }

    [Test]
    public async Task ZeroLengthOperations_MoveNothing()
    {
        var data = TestData.Random(DataSize);
        await using var stream = await CreateStreamAsync(data).DefaultTimeout();

        if (CanReadStream)
        {
            Assert.That(await stream.ReadAsync(Memory<byte>.Empty).DefaultTimeout(), Is.Zero);
            Assert.That(stream.Read([], 0, 0), Is.Zero);
            Assert.That(TestData.Sha256(await ReadAllAsync(ReadMode.ReadAsyncMemory, stream).DefaultTimeout()), Is.EqualTo(TestData.Sha256(data)));
        }
        else
        {
            await stream.WriteAsync(ReadOnlyMemory<byte>.Empty).DefaultTimeout();
            stream.Write([], 0, 0);
            Assert.That(stream.Position, Is.Zero);
        }
    }

    [Test]
    public async Task Dispose_Twice_DoesNotThrow()
    {
        var stream = await CreateStreamAsync(TestData.Random(DataSize)).DefaultTimeout();

        stream.Dispose();

        Assert.DoesNotThrow(stream.Dispose);
        Assert.DoesNotThrowAsync(async () => await stream.DisposeAsync());
    }

    [Test]
    public async Task DisposeAsync_Twice_DoesNotThrow()
    {
        var stream = await CreateStreamAsync(TestData.Random(DataSize)).DefaultTimeout();

        await stream.DisposeAsync().DefaultTimeout();

        Assert.DoesNotThrowAsync(async () => await stream.DisposeAsync());
        Assert.DoesNotThrow(stream.Dispose);
    }

    [Test]
    public async Task Operations_AfterDispose_ThrowObjectDisposed()
    {
        var stream = await CreateStreamAsync(TestData.Random(DataSize)).DefaultTimeout();
        await stream.DisposeAsync().DefaultTimeout();

        Assert.That(stream.CanRead, Is.False);
        Assert.That(stream.CanWrite, Is.False);
        if (CanReadStream)
        {
            foreach (var readMode in Enum.GetValues<ReadMode>())
            {
                Assert.That(async () => await ReadOnceAsync(readMode, stream, new byte[10]), Throws.InstanceOf<ObjectDisposedException>(), readMode.ToString());
            }
        }

        if (CanWriteStream)
        {
            foreach (var writeMode in Enum.GetValues<WriteMode>())
            {
                Assert.That(async () => await WriteOnceAsync(writeMode, stream, new byte[10]), Throws.InstanceOf<ObjectDisposedException>(), writeMode.ToString());
            }
        }
    }

    [Test]
    public async Task ReadAsync_CancelledToken_ThrowsOperationCanceled()
    {
        await using var stream = await CreateStreamAsync(TestData.Random(DataSize)).DefaultTimeout();
        var cancelled = new CancellationToken(canceled: true);
        var buffer = new byte[10];

        // A constraint is spent once it has been applied: each assertion gets its own.
        NUnit.Framework.Constraints.IResolveConstraint Expected() => CanReadStream
            ? Throws.InstanceOf<OperationCanceledException>()
            : Throws.InstanceOf<OperationCanceledException>().Or.InstanceOf<NotSupportedException>();

        Assert.That(async () => await stream.ReadAsync(buffer, 0, buffer.Length, cancelled), Expected());
        Assert.That(async () => await stream.ReadAsync(buffer.AsMemory(), cancelled), Expected());
        Assert.That(async () => await stream.CopyToAsync(new MemoryStream(), cancelled), Expected());
        Assert.That(stream.Position, Is.Zero);
    }

    [Test]
    public async Task WriteAsync_CancelledToken_ThrowsOperationCanceled([Values] bool memory)
    {
        await using var stream = await CreateStreamAsync(TestData.Random(DataSize)).DefaultTimeout();
        var cancelled = new CancellationToken(canceled: true);
        var buffer = new byte[10];
        var expected = CanWriteStream
            ? Throws.InstanceOf<OperationCanceledException>()
            : Throws.InstanceOf<OperationCanceledException>().Or.InstanceOf<NotSupportedException>();

        Assert.That(async () =>
        {
            if (memory)
            {
                await stream.WriteAsync(buffer.AsMemory(), cancelled);
            }
            else
            {
                await stream.WriteAsync(buffer, 0, buffer.Length, cancelled);
            }
        }, expected);
        Assert.That(stream.Position, Is.Zero);
    }

    /// <summary>One read in <paramref name="mode"/>; for the copy modes, a copy of everything left into a new stream.</summary>
    protected static async Task<int> ReadOnceAsync(ReadMode mode, Stream stream, byte[] buffer, int offset = 0, int? count = null)
    {
        var n = count ?? (buffer.Length - offset);
        switch (mode)
        {
            case ReadMode.ReadArray:
                return stream.Read(buffer, offset, n);
            case ReadMode.ReadSpan:
                return stream.Read(buffer.AsSpan(offset, n));
            case ReadMode.ReadAsyncArray:
                return await stream.ReadAsync(buffer, offset, n);
            case ReadMode.ReadAsyncMemory:
                return await stream.ReadAsync(buffer.AsMemory(offset, n));
            case ReadMode.ReadByte:
                var b = stream.ReadByte();
                if (b < 0)
                {
                    return 0;
                }

                buffer[offset] = (byte)b;
                return 1;
            case ReadMode.BeginEndRead:
                return stream.EndRead(stream.BeginRead(buffer, offset, n, null, null));
            case ReadMode.CopyTo:
            {
                var destination = new MemoryStream();
                stream.CopyTo(destination);
                return (int)destination.Length;
            }

            default:
            {
                var destination = new MemoryStream();
                await stream.CopyToAsync(destination);
                return (int)destination.Length;
            }
        }
    }

    /// <summary>Reads <paramref name="stream"/> to its end in <paramref name="mode"/>, with buffers of varying sizes.</summary>
    protected static async Task<byte[]> ReadAllAsync(ReadMode mode, Stream stream)
    {
        var result = new MemoryStream();
        switch (mode)
        {
            case ReadMode.CopyTo:
                stream.CopyTo(result);
                return result.ToArray();
            case ReadMode.CopyToAsync:
                await stream.CopyToAsync(result);
                return result.ToArray();
        }

        var buffer = new byte[PieceSizes.Max() + 10];
        for (var i = 0; ; i++)
        {
            var size = PieceSizes[i % PieceSizes.Length];
            var n = await ReadOnceAsync(mode, stream, buffer, offset: 5, count: size);
            Assert.That(n, Is.InRange(0, size));
            if (n == 0)
            {
                return result.ToArray();
            }

            result.Write(buffer, 5, n);
            Assert.That(stream.Position, Is.EqualTo(result.Length), "Position follows every read");
        }
    }

    /// <summary>One write of all of <paramref name="buffer"/> in <paramref name="mode"/>.</summary>
    protected static async Task WriteOnceAsync(WriteMode mode, Stream stream, byte[] buffer, int offset = 0, int? count = null)
    {
        var n = count ?? (buffer.Length - offset);
        switch (mode)
        {
            case WriteMode.WriteArray:
                stream.Write(buffer, offset, n);
                break;
            case WriteMode.WriteSpan:
                stream.Write(buffer.AsSpan(offset, n));
                break;
            case WriteMode.WriteAsyncArray:
                await stream.WriteAsync(buffer, offset, n);
                break;
            case WriteMode.WriteAsyncMemory:
                await stream.WriteAsync(buffer.AsMemory(offset, n));
                break;
            case WriteMode.WriteByte:
                for (var i = offset; i < offset + n; i++)
                {
                    stream.WriteByte(buffer[i]);
                }

                break;
            default:
                stream.EndWrite(stream.BeginWrite(buffer, offset, n, null, null));
                break;
        }
    }

    /// <summary>Writes all of <paramref name="data"/> in <paramref name="mode"/>, in pieces of varying sizes.</summary>
    protected static async Task WriteAllAsync(WriteMode mode, Stream stream, byte[] data)
    {
        var offset = 0;
        for (var i = 0; offset < data.Length; i++)
        {
            var size = Math.Min(PieceSizes[i % PieceSizes.Length], data.Length - offset);
            await WriteOnceAsync(mode, stream, data, offset, size);
            offset += size;
            Assert.That(stream.Position, Is.EqualTo(offset), "Position follows every write");
        }
    }

    /// <summary>Disposes a stream a test may have left in any state; what disposal reports is another test's business.</summary>
    private static async Task DisposeQuietlyAsync(Stream stream)
    {
        try
        {
            await stream.DisposeAsync().DefaultTimeout();
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            TestContext.Out.WriteLine($"Disposal after the test threw {ex.GetType().Name}: {ex.Message}");
        }
    }
}
