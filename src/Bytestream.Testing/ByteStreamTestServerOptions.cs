using Microsoft.Extensions.Logging;

namespace Bytestream.Testing;

/// <summary>
/// Settings of a <see cref="ByteStreamTestServer"/>, fixed when it starts: the server copies them in
/// <see cref="ByteStreamTestServer.StartAsync(ByteStreamTestServerOptions, CancellationToken)"/>.
/// Faults that change while the server runs are in <see cref="ByteStreamTestServer.Faults"/>.
/// </summary>
public sealed class ByteStreamTestServerOptions
{
    private int _maxReceiveMessageSize = 4 * 1024 * 1024;
    private int _readChunkSize = 1024 * 1024;

    /// <summary>Gets or sets the largest request message the server accepts; larger ones fail with <c>RESOURCE_EXHAUSTED</c>.</summary>
    /// <value>Default 4 MiB, gRPC's default (so a client that sends bigger chunks fails here as on a real server); at least 1.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxReceiveMessageSize
    {
        get => _maxReceiveMessageSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(MaxReceiveMessageSize));
            _maxReceiveMessageSize = value;
        }
    }

    /// <summary>Gets or sets the number of data bytes in each <c>ReadResponse</c> (the last one of a read may hold fewer).</summary>
    /// <value>
    /// Default 1 MiB; at least 1. The client's receive limit (4 MiB unless its channel raises it) must hold
    /// a message of this size.
    /// </value>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int ReadChunkSize
    {
        get => _readChunkSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(ReadChunkSize));
            _readChunkSize = value;
        }
    }

    /// <summary>
    /// Gets or sets whether every <c>WriteRequest</c>, not only the first of a call, must carry
    /// <c>resource_name</c>; a request without it fails the call with <c>INVALID_ARGUMENT</c>, as Google's own
    /// server does.
    /// </summary>
    /// <value>Default <see langword="false"/>: later requests may omit the name (the spec).</value>
    public bool RequireResourceNameOnEveryRequest { get; set; }

    /// <summary>Gets or sets what a <c>Write</c> to a resource that is already stored complete does.</summary>
    /// <value>Default <see cref="Testing.ExistingResourceBehavior.Overwrite"/>.</value>
    public ExistingResourceBehavior ExistingResourceBehavior { get; set; } = ExistingResourceBehavior.Overwrite;

    /// <summary>
    /// Gets or sets whether finishing a REAPI upload also stores the blob under its read name:
    /// <c>{instance}/uploads/{uuid}/blobs/{hash}/{size}[/{metadata}]</c> is stored as
    /// <c>{instance}/blobs/{hash}/{size}</c> too (with the optional digest-function segment kept), and
    /// <c>.../uploads/{uuid}/compressed-blobs/{compressor}/...</c> as <c>{instance}/compressed-blobs/{compressor}/...</c>
    /// (the bytes as uploaded: the server does not decompress).
    /// </summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool MapUploadNamesToBlobs { get; set; } = true;

    /// <summary>Gets or sets the logger factory for Kestrel's and gRPC's logs.</summary>
    /// <value>Default <see langword="null"/>: the server logs nothing.</value>
    public ILoggerFactory? LoggerFactory { get; set; }

    internal ByteStreamTestServerOptions Clone() => (ByteStreamTestServerOptions)MemberwiseClone();
}
