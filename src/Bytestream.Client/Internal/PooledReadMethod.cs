using System.Buffers;
using Google.ByteStream;
using Google.Protobuf;
using Grpc.Core;

namespace Bytestream.Client.Internal;

/// <summary>
/// google.bytestream.ByteStream/Read with a response marshaller that copies each message's data into
/// a pooled <see cref="ReadChunk"/> instead of letting protobuf allocate a new array per message.
/// ReadResponse has one field (<c>bytes data = 10</c>); other fields are skipped as protobuf would.
/// </summary>
internal static class PooledReadMethod
{
    private const int DataFieldTag = (10 << 3) | 2;

    public static Method<ReadRequest, ReadChunk> Read { get; } = new(
        MethodType.ServerStreaming,
        ByteStream.Descriptor.FullName,
        "Read",
        Marshallers.Create(
            static (ReadRequest request, SerializationContext context) =>
            {
                context.SetPayloadLength(request.CalculateSize());
                request.WriteTo(context.GetBufferWriter());
                context.Complete();
            },
            static context => ReadRequest.Parser.ParseFrom(context.PayloadAsReadOnlySequence())),
        Marshallers.Create<ReadChunk>(
            static (_, _) => throw new NotSupportedException("The client never sends a ReadResponse."),
            static context => Parse(context.PayloadAsReadOnlySequence())));

    /// <summary>Parses a ReadResponse: the last <c>data</c> field wins, as in protobuf.</summary>
    /// <exception cref="InvalidDataException">The message is not valid protobuf.</exception>
    public static ReadChunk Parse(ReadOnlySequence<byte> payload)
    {
        var reader = new SequenceReader<byte>(payload);
        var data = ReadOnlySequence<byte>.Empty;
        while (!reader.End)
        {
            var tag = ReadVarint(ref reader);
            switch (tag & 7)
            {
                case 0:
                    ReadVarint(ref reader);
                    break;
                case 1:
                    Skip(ref reader, 8);
                    break;
                case 5:
                    Skip(ref reader, 4);
                    break;
                case 2:
                    var length = ReadVarint(ref reader);
                    if (length > (ulong)reader.Remaining)
                    {
                        throw Malformed();
                    }

                    if (tag == DataFieldTag)
                    {
                        data = payload.Slice(reader.Position, (long)length);
                    }

                    reader.Advance((long)length);
                    break;
                default:
                    throw Malformed();
            }
        }

        return ReadChunk.CopyOf(data);
    }

    private static ulong ReadVarint(ref SequenceReader<byte> reader)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (!reader.TryRead(out var b))
            {
                throw Malformed();
            }

            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw Malformed();
    }

    private static void Skip(ref SequenceReader<byte> reader, int count)
    {
        if (reader.Remaining < count)
        {
            throw Malformed();
        }

        reader.Advance(count);
    }

    private static InvalidDataException Malformed() => new("The server sent a ReadResponse that is not valid protobuf.");
}
