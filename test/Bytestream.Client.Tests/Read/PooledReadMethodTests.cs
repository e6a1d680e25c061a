using System.Buffers;
using Bytestream.Client.Internal;
using Google.ByteStream;
using Google.Protobuf;

namespace Bytestream.Client.Tests.Read;

/// <summary>The pooled ReadResponse parser reads what protobuf reads, however the bytes are split.</summary>
public class PooledReadMethodTests
{
    [TestCase(0)]
    [TestCase(1)]
    [TestCase(127)]
    [TestCase(128)]
    [TestCase(1_000_000)]
    public void Parse_AReadResponse_GivesItsData(int size)
    {
        var data = TestData.Random(size);
        var message = new ReadResponse { Data = ByteString.CopyFrom(data) }.ToByteArray();

        var chunk = PooledReadMethod.Parse(new ReadOnlySequence<byte>(message));

        Assert.That(chunk.Data.ToArray(), Is.EqualTo(data));
        chunk.Return();
    }

    [Test]
    public void Parse_MessageSplitAcrossSegments_GivesTheSameData()
    {
        var data = TestData.Random(5000);
        var message = new ReadResponse { Data = ByteString.CopyFrom(data) }.ToByteArray();

        var chunk = PooledReadMethod.Parse(Segmented(message, segmentSize: 7));

        Assert.That(chunk.Data.ToArray(), Is.EqualTo(data));
    }

    [Test]
    public void Parse_UnknownFieldsOfEveryWireType_AreSkippedAndTheLastDataFieldWins()
    {
        using var bytes = new MemoryStream();
        var output = new CodedOutputStream(bytes);
        output.WriteTag(1, WireFormat.WireType.Varint);
        output.WriteUInt64(ulong.MaxValue);
        output.WriteTag(10, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFromUtf8("first"));
        output.WriteTag(2, WireFormat.WireType.Fixed64);
        output.WriteFixed64(42);
        output.WriteTag(3, WireFormat.WireType.Fixed32);
        output.WriteFixed32(7);
        output.WriteTag(11, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFromUtf8("other field"));
        output.WriteTag(10, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFromUtf8("last"));
        output.Flush();
        var message = bytes.ToArray();

        var chunk = PooledReadMethod.Parse(new ReadOnlySequence<byte>(message));

        Assert.Multiple(() =>
        {
            Assert.That(chunk.Data.ToArray(), Is.EqualTo(ReadResponse.Parser.ParseFrom(message).Data.ToByteArray()));
            Assert.That(System.Text.Encoding.UTF8.GetString(chunk.Data.Span), Is.EqualTo("last"));
        });
    }

    [TestCase(new byte[] { 0x52 }, TestName = "Parse_TagWithoutLength_Throws")]
    [TestCase(new byte[] { 0x52, 0x05, 1, 2 }, TestName = "Parse_LengthBeyondTheMessage_Throws")]
    [TestCase(new byte[] { 0x52, 0x80 }, TestName = "Parse_TruncatedVarint_Throws")]
    [TestCase(new byte[] { 0x0B }, TestName = "Parse_GroupWireType_Throws")]
    [TestCase(new byte[] { 0x09, 1, 2, 3 }, TestName = "Parse_TruncatedFixed64_Throws")]
    public void Parse_MalformedMessage_ThrowsInvalidDataException(byte[] message)
    {
        Assert.Throws<InvalidDataException>(() => PooledReadMethod.Parse(new ReadOnlySequence<byte>(message)));
    }

    private static ReadOnlySequence<byte> Segmented(byte[] bytes, int segmentSize)
    {
        Segment? first = null;
        Segment? last = null;
        for (var offset = 0; offset < bytes.Length; offset += segmentSize)
        {
            var memory = bytes.AsMemory(offset, Math.Min(segmentSize, bytes.Length - offset));
            last = last is null ? first = new Segment(memory, 0) : last.Append(memory);
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
