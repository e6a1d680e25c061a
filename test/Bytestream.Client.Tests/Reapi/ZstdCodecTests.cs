using System.Text;
using Bytestream.Client.Internal;
using Bytestream.Client.Internal.Zstd;
using ZstdSharp;

namespace Bytestream.Client.Tests.Reapi;

/// <summary>The compressed upload source and the compressed read decoder, without a server: what they produce decodes (or encodes) to the caller's bytes.</summary>
public class ZstdCodecTests
{
    private const int Chunk = 16 * 1024;

    public enum Inner
    {
        Memory,
        Seekable,
        NonSeekable,
    }

    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (var inner in Enum.GetValues<Inner>())
        {
            foreach (var size in new[] { 0, 1, Chunk - 1, Chunk + 1, 1_000_003 })
            {
                yield return new TestCaseData(inner, size, true);
                yield return new TestCaseData(inner, size, false);
            }
        }
    }

    /// <summary>Text-like data that compresses (about 4:1), or random data that does not.</summary>
    public static byte[] Data(int size, bool compressible)
    {
        if (!compressible)
        {
            return TestData.Random(size);
        }

        var text = new StringBuilder();
        var random = new Random(size);
        while (text.Length < size)
        {
            text.Append("    public static int Method").Append(random.Next(1000)).Append("(string value) => value.Length * ").Append(random.Next(100)).Append(";\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString())[..size];
    }

    [TestCaseSource(nameof(Cases))]
    public async Task CompressingSource_EveryChunk_DecodesToTheData(Inner inner, int size, bool compressible)
    {
        var data = Data(size, compressible);
        using var source = Create(inner, data);

        var wire = await DrainAsync(source);

        Assert.That(TestData.Sha256(Decompress(wire)), Is.EqualTo(TestData.Sha256(data)));
        Assert.That(source.Position, Is.EqualTo(wire.Length));
        Assert.That(source.CallerPosition, Is.EqualTo(size));
        if (compressible && size > Chunk)
        {
            Assert.That(wire.Length, Is.LessThan(size / 3), "text compresses");
        }
    }

    [TestCase(Inner.Memory)]
    [TestCase(Inner.Seekable)]
    public async Task CompressingSource_RestartAfterSomeChunks_StartsAFreshFrame(Inner inner)
    {
        var data = Data(500_000, compressible: false);
        using var source = Create(inner, data);
        await source.NextAsync(CancellationToken.None);
        await source.NextAsync(CancellationToken.None);

        await source.MoveToAsync(0, CancellationToken.None);
        Assert.That(source.Position, Is.Zero);
        var wire = await DrainAsync(source);

        Assert.That(TestData.Sha256(Decompress(wire)), Is.EqualTo(TestData.Sha256(data)));
    }

    [Test]
    public async Task CompressingSource_NonSeekable_TheReplayLayerResendsTheCompressedBytes()
    {
        var data = Data(300_000, compressible: false);
        using var source = new ReplayingUploadSource("x", Create(Inner.NonSeekable, data), new ReplayBuffer(64L << 20, Chunk), Chunk);
        var wire = await DrainAsync(source);

        await source.MoveToAsync(0, CancellationToken.None);

        Assert.That(await DrainAsync(source), Is.EqualTo(wire));
    }

    [Test]
    public async Task CompressingSource_CallerPosition_RisesWithTheOffset()
    {
        var data = Data(400_000, compressible: true);
        using var source = Create(Inner.Memory, data);
        var ends = new List<long>();
        Assert.That(source.CallerPosition, Is.Zero);
        while (!(await source.NextAsync(CancellationToken.None)).IsEnd)
        {
            ends.Add(source.CallerPosition);
        }

        Assert.That(ends, Is.Ordered.And.Not.Empty);
        Assert.That(ends[^1], Is.EqualTo(data.Length));
    }

    [TestCase(-1)]
    [TestCase(1)]
    public void CompressingSource_DataOfAnotherLength_Throws(int delta)
    {
        var data = Data(50_000, compressible: true);
        using var source = new CompressingUploadSource("x", new MemoryUploadSource("x", data, Chunk), 1, Chunk, data.Length + delta);

        var error = Assert.ThrowsAsync<ByteStreamException>(() => DrainAsync(source));

        Assert.That(error!.Message, Does.Contain((data.Length + delta).ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [TestCase(1)]
    [TestCase(7)]
    [TestCase(100_000)]
    public void Decoder_AnySplitOfTheWire_DecodesTheData(int split)
    {
        var data = Data(700_000, compressible: true);
        using var compressor = new Compressor(3);
        var wire = compressor.Wrap(data).ToArray();

        var decoded = Decode(wire, split, remaining: data.Length);

        Assert.That(TestData.Sha256(decoded), Is.EqualTo(TestData.Sha256(data)));
    }

    [Test]
    public void Decoder_ConcatenatedFrames_DecodeAsOneStream()
    {
        var first = Data(100_000, compressible: true);
        var second = TestData.Random(50_000);
        using var compressor = new Compressor(1);
        var wire = compressor.Wrap(first).ToArray().Concat(compressor.Wrap(second).ToArray()).ToArray();

        var decoded = Decode(wire, 4096, remaining: 150_000);

        Assert.That(decoded, Is.EqualTo(first.Concat(second).ToArray()));
    }

    [Test]
    public void Decoder_TruncatedFrame_ThrowsAtTheEnd()
    {
        using var compressor = new Compressor(1);
        var wire = compressor.Wrap(Data(100_000, compressible: true)).ToArray();

        var error = Assert.Throws<ByteStreamException>(() => Decode(wire[..^10], 4096, remaining: 100_000));

        Assert.That(error!.Message, Does.Contain("truncated"));
    }

    [Test]
    public void Decoder_NotZstd_Throws() =>
        Assert.Throws<ByteStreamException>(() => Decode(TestData.Random(10_000), 4096, remaining: 10_000));

    [Test]
    public void Decoder_FrameDeclaresMoreThanIsLeft_ThrowsBeforeAnyByte()
    {
        // A server that ignored read_offset 1000 sends the whole blob.
        var data = Data(100_000, compressible: true);
        using var compressor = new Compressor(1);
        var wire = compressor.Wrap(data).ToArray();
        using var decoder = new CompressedReadDecoder("x", 64 * 1024);
        decoder.StartCall(1000, data.Length - 1000);

        var error = Assert.Throws<ByteStreamException>(() => decoder.Feed(ToChunk(wire)));

        Assert.That(error!.Message, Does.Contain("ignored read_offset"));
    }

    private static CompressingUploadSource Create(Inner inner, byte[] data)
    {
        UploadSource plain = inner switch
        {
            Inner.Memory => new MemoryUploadSource("x", data, Chunk),
            Inner.Seekable => new SeekableUploadSource("x", new MemoryStream(data), Chunk),
            _ => new StreamUploadSource("x", new ForwardOnlyReadStream(data), Chunk),
        };
        return new CompressingUploadSource("x", plain, 1, Chunk, data.Length);
    }

    private static async Task<byte[]> DrainAsync(UploadSource source)
    {
        var wire = new MemoryStream();
        while (true)
        {
            var chunk = await source.NextAsync(CancellationToken.None);
            if (chunk.IsEnd)
            {
                return wire.ToArray();
            }

            Assert.That(chunk.Data.Length, Is.LessThanOrEqualTo(Chunk));
            wire.Write(chunk.Data.Span);
        }
    }

    private static byte[] Decompress(byte[] wire)
    {
        using var decompressor = new Decompressor();
        using var stream = new DecompressionStream(new MemoryStream(wire), decompressor);
        var output = new MemoryStream();
        stream.CopyTo(output);
        return output.ToArray();
    }

    private static byte[] Decode(byte[] wire, int split, long remaining)
    {
        using var decoder = new CompressedReadDecoder("x", 64 * 1024);
        decoder.StartCall(0, remaining);
        var output = new MemoryStream();
        for (var offset = 0; offset < wire.Length; offset += split)
        {
            decoder.Feed(ToChunk(wire.AsSpan(offset, Math.Min(split, wire.Length - offset)).ToArray()));
            Drain(decoder, output);
        }

        decoder.InputEnded();
        Drain(decoder, output);
        decoder.EndCall();
        return output.ToArray();
    }

    private static void Drain(CompressedReadDecoder decoder, MemoryStream output)
    {
        while (decoder.Decode() is { IsEmpty: false } decoded)
        {
            output.Write(decoded.Span);
        }
    }

    private static ReadChunk ToChunk(byte[] data) => ReadChunk.CopyOf(new System.Buffers.ReadOnlySequence<byte>(data));
}
