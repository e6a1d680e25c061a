namespace Bytestream.Client;

/// <summary>
/// A ByteStream transfer could not be completed correctly: the server broke the protocol
/// (a committed size beyond what was sent, going backwards, or wrong at the end; more bytes than
/// asked for), or a resume needed bytes the client no longer held. Errors the server reports
/// with a status are thrown as its <see cref="Grpc.Core.RpcException"/> instead.
/// </summary>
public class ByteStreamException : IOException
{
    /// <summary>Creates an exception for <paramref name="resourceName"/>.</summary>
    /// <param name="resourceName">The resource being transferred.</param>
    /// <param name="message">What happened and what to do.</param>
    /// <param name="committedSize">The committed size the server last reported, if known.</param>
    /// <param name="innerException">The error that led to this one, if any.</param>
    public ByteStreamException(string resourceName, string message, long? committedSize = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ResourceName = resourceName ?? throw new ArgumentNullException(nameof(resourceName));
        CommittedSize = committedSize;
    }

    /// <summary>Gets the name of the resource being transferred.</summary>
    public string ResourceName { get; }

    /// <summary>Gets the committed size the server last reported, or <see langword="null"/> when unknown.</summary>
    public long? CommittedSize { get; }
}
