namespace Bytestream.Testing.Internal;

/// <summary>
/// Where one Write call to a compressed upload name puts the blob it decodes, as it decodes it: an array of the
/// name's size (memory), a temporary file (a storage directory), or a count only (<see cref="ByteStreamTestServerOptions.DiscardData"/>).
/// Made by <see cref="ResourceStorage.StartDecoded"/>, stored by <see cref="ResourceStorage.StoreDecoded"/>; disposing one
/// that was not stored drops what it holds. Used by one call at a time.
/// </summary>
internal abstract class DecodedBlob : IDisposable
{
    /// <summary>Gets the number of bytes written.</summary>
    public long Length { get; private set; }

    /// <summary>Adds decoded bytes at the end.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        WriteCore(data);
        Length += data.Length;
    }

    public abstract void Dispose();

    /// <summary>Keeps <paramref name="data"/> after the <see cref="Length"/> bytes already written.</summary>
    protected abstract void WriteCore(ReadOnlySpan<byte> data);
}
