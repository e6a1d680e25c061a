using Bytestream.Client.Internal.Zstd;

namespace Bytestream.Client.Internal;

/// <summary>
/// What the bytes of each Read call pass through on their way to the caller, as the plan asks: nothing
/// (<see cref="PlainReadStage"/>), or a zstd decoder (<see cref="CompressedReadDecoder"/>) that restarts with
/// every call. The <see cref="ResumableReader"/> feeds it the call's messages and hands out what comes out.
/// </summary>
internal abstract class ReadStage : IDisposable
{
    /// <summary>The stage of a transfer: a decoder for a compressed one.</summary>
    public static ReadStage For(TransferPlan plan) =>
        plan.Compressed ? new CompressedReadDecoder(plan.WireName, CompressedReadDecoder.DefaultOutputSize) : new PlainReadStage();

    /// <summary>A new Read call from the caller's <paramref name="offset"/>, which should yield <paramref name="remaining"/> bytes.</summary>
    public abstract void StartCall(long offset, long remaining);

    /// <summary>Takes the call's next message, once <see cref="Decode"/> has used up the one before; the stage gives it back to the pool.</summary>
    /// <exception cref="ByteStreamException">The message shows the server sent something else than was asked for.</exception>
    public abstract void Feed(ReadChunk chunk);

    /// <summary>The caller's next bytes, valid until the next call of the stage; empty when it needs more input.</summary>
    /// <exception cref="ByteStreamException">The bytes do not decode.</exception>
    public abstract ReadOnlyMemory<byte> Decode();

    /// <summary>The call's stream ended cleanly: <see cref="Decode"/> drains what is left.</summary>
    public abstract void InputEnded();

    /// <summary>Everything of the call has been handed out.</summary>
    /// <exception cref="ByteStreamException">The call's bytes ended inside a unit the stage needs whole (a zstd frame).</exception>
    public abstract void EndCall();

    /// <summary>Gives back what the stage holds.</summary>
    public abstract void Dispose();
}
