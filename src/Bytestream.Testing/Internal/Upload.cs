namespace Bytestream.Testing.Internal;

/// <summary>
/// The state of one resumable upload: how many bytes it holds, how many of them are committed, and the
/// Write call that owns it. Where the bytes live is the subclass's business (memory or a file).
/// Only <see cref="ResourceStore"/> touches it, under its lock.
/// </summary>
internal abstract class Upload
{
    /// <summary>Gets or sets the number of bytes held: committed ones plus those received but not yet committed.</summary>
    public long Length { get; protected set; }

    /// <summary>Gets or sets the committed size that QueryWriteStatus reports; never more than <see cref="Length"/>.</summary>
    public long Committed { get; set; }

    /// <summary>
    /// Gets or sets, for a <c>compressed-blobs/</c> upload, the uncompressed bytes its received data decodes to (what
    /// <see cref="ByteStreamFaults.ReportUncompressedCommittedSize"/> reports); 0 for other uploads.
    /// </summary>
    public long Decoded { get; set; }

    /// <summary>Gets or sets the id of the Write call that appends to the upload, or 0 when none does.</summary>
    public long Owner { get; set; }

    /// <summary>Adds received bytes at the end; the upload may keep <paramref name="data"/> itself, which is never changed.</summary>
    public abstract void Append(ReadOnlyMemory<byte> data);

    /// <summary>Keeps the first <paramref name="length"/> bytes, all of them committed.</summary>
    public abstract void Truncate(long length);

    /// <summary>Returns a copy of every byte the upload holds (to check a finished upload's digest).</summary>
    /// <exception cref="NotSupportedException">The storage keeps no bytes (<see cref="ByteStreamTestServerOptions.DiscardData"/>).</exception>
    public virtual byte[] ToArray() => throw new NotSupportedException("A discarding server keeps no bytes of an upload.");

    /// <summary>Lets go of what the upload holds open between calls (a file handle); it can be appended to again later.</summary>
    public virtual void Release()
    {
    }
}
