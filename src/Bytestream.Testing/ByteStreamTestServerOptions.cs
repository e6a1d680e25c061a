using System.Net;
using System.Security.Cryptography.X509Certificates;
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
    private IPAddress _listenAddress = IPAddress.Loopback;
    private int _port;
    private ByteStreamServerProfile _profile;
    private string? _storageDirectory;
    private CompressedBlobSupport _compressedBlobs;
    private int _http2StreamWindowSize = DefaultHttp2StreamWindowSize;
    private int _http2ConnectionWindowSize = DefaultHttp2ConnectionWindowSize;
    private int _maxStreamsPerConnection = 100;

    /// <summary>The default <see cref="Http2StreamWindowSize"/>: 32 MiB.</summary>
    public const int DefaultHttp2StreamWindowSize = 32 * 1024 * 1024;

    /// <summary>The default <see cref="Http2ConnectionWindowSize"/>: 64 MiB.</summary>
    public const int DefaultHttp2ConnectionWindowSize = 64 * 1024 * 1024;

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

    /// <summary>
    /// Gets or sets whether the first <c>write_offset</c> of a <c>Write</c> to an upload in progress must be its committed
    /// size, as the ByteStream spec says and Google's server enforces; a lower one (resending, or starting again at 0)
    /// fails with <c>FAILED_PRECONDITION</c>.
    /// </summary>
    /// <value>Default <see langword="false"/>: a lower offset truncates the upload there (most servers).</value>
    public bool RequireWriteOffsetAtCommittedSize { get; set; }

    /// <summary>Gets or sets what a <c>Write</c> to a resource that is already stored complete does.</summary>
    /// <value>Default <see cref="Testing.ExistingResourceBehavior.Overwrite"/>.</value>
    public ExistingResourceBehavior ExistingResourceBehavior { get; set; } = ExistingResourceBehavior.Overwrite;

    /// <summary>
    /// Gets or sets whether finishing a REAPI upload also stores the blob under its read name:
    /// <c>{instance}/uploads/{uuid}/blobs/{hash}/{size}[/{metadata}]</c> is stored as
    /// <c>{instance}/blobs/{hash}/{size}</c> too (with the optional digest-function segment kept), and so is the
    /// decoded blob of <c>.../uploads/{uuid}/compressed-blobs/zstd/...</c> (see <see cref="CompressedBlobs"/>), which
    /// reads back compressed as <c>{instance}/compressed-blobs/zstd/...</c>.
    /// </summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool MapUploadNamesToBlobs { get; set; } = true;

    /// <summary>Gets or sets how the server answers REAPI <c>compressed-blobs/</c> names: with zstd, or as a server without it.</summary>
    /// <value>
    /// Default <see cref="CompressedBlobSupport.Zstd"/>: blobs are stored uncompressed, zstd uploads are decoded (a stream
    /// that does not decode to the name's size is <c>INVALID_ARGUMENT</c>) and compressed reads are encoded on the fly.
    /// </value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not defined.</exception>
    public CompressedBlobSupport CompressedBlobs
    {
        get => _compressedBlobs;
        set => _compressedBlobs = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(CompressedBlobs), value, "Not a defined CompressedBlobSupport.");
    }

    /// <summary>
    /// Gets or sets whether finishing a REAPI upload (<c>blobs/</c> or <c>compressed-blobs/zstd/</c>) checks the
    /// uncompressed data against the name's size and digest, as REAPI servers do: a mismatch fails the Write with
    /// <c>INVALID_ARGUMENT</c> naming both digests, and nothing is stored.
    /// </summary>
    /// <value>
    /// Default <see langword="false"/>: anything is stored under any name (so tests can store corrupt blobs by uploading
    /// them). Digest functions checked: the name's <c>digest_function</c> segment, or without one the hash length
    /// (SHA-256, SHA-1, MD5, SHA-384, SHA-512), and <c>blake3</c>; an upload with any other is <c>INVALID_ARGUMENT</c>.
    /// Not with <see cref="DiscardData"/>, which keeps no bytes to check.
    /// </value>
    public bool VerifyUploadDigests { get; set; }

    /// <summary>Gets or sets the logger factory for Kestrel's and gRPC's logs.</summary>
    /// <value>Default <see langword="null"/>: the server logs nothing.</value>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// Gets or sets the directory that holds the server's resources and unfinished uploads as files, so they
    /// outlive the server: a partial upload can be resumed after a restart on the same directory.
    /// </summary>
    /// <value>
    /// <para>
    /// Default <see langword="null"/>: everything is in memory and gone when the server stops. The directory is
    /// created when missing. Resource <c>a/b/c</c> is the file <c>{directory}/a/b/c</c>; an unfinished upload of it
    /// is <c>{directory}/.bytestream/uploads/a/b/c</c>, whose length is its committed size. At start the server
    /// serves every file already under the directory (symbolic links excepted) as a complete resource.
    /// </para>
    /// <para>
    /// Names that do not map to a path inside the directory fail their call with <c>INVALID_ARGUMENT</c>: empty,
    /// absolute (<c>/x</c>, <c>C:x</c>), with an empty, <c>.</c> or <c>..</c> segment, with a backslash, NUL or another
    /// character a file name cannot hold, starting with the reserved segment <c>.bytestream</c>, or reaching a
    /// symbolic link. A name whose path collides with another resource's (<c>a</c> and <c>a/b</c>) fails with
    /// <c>FAILED_PRECONDITION</c>. <see cref="ByteStreamTestServer.Reset"/> deletes the files of every resource
    /// and upload the server holds, including those it found at start.
    /// </para>
    /// </value>
    /// <exception cref="ArgumentException">The value is empty or only white space.</exception>
    public string? StorageDirectory
    {
        get => _storageDirectory;
        set
        {
            if (value is not null)
            {
                ArgumentException.ThrowIfNullOrWhiteSpace(value, nameof(StorageDirectory));
            }

            _storageDirectory = value;
        }
    }

    /// <summary>
    /// Gets or sets whether the server drops uploaded bytes and serves zeros: a null sink and a zero source for
    /// benchmarks, so that measuring a client measures the client. Uploads keep only their sizes; a finished
    /// upload reads back as that many zero bytes. Offsets, committed sizes, QueryWriteStatus, the records and the
    /// faults work as usual; resources given to <see cref="ByteStreamTestServer.SetResource"/> keep their bytes.
    /// </summary>
    /// <value>
    /// Default <see langword="false"/>. Cannot be combined with <see cref="StorageDirectory"/> or <see cref="VerifyUploadDigests"/>.
    /// A compressed upload is decoded and counted but not kept: its blob reads back as zeros too.
    /// </value>
    public bool DiscardData { get; set; }

    /// <summary>Gets or sets the address the server listens on.</summary>
    /// <value>
    /// Default <see cref="IPAddress.Loopback"/> (127.0.0.1). <see cref="IPAddress.Any"/> or
    /// <see cref="IPAddress.IPv6Any"/> listen on every interface; <see cref="ByteStreamTestServer.Address"/> then
    /// names the loopback address of that family.
    /// </value>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public IPAddress ListenAddress
    {
        get => _listenAddress;
        set
        {
            ArgumentNullException.ThrowIfNull(value, nameof(ListenAddress));
            _listenAddress = value;
        }
    }

    /// <summary>Gets or sets the TCP port the server listens on.</summary>
    /// <value>Default 0: a free port, chosen when the server starts (see <see cref="ByteStreamTestServer.Address"/>); 0 to 65535.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 0 or above 65535.</exception>
    public int Port
    {
        get => _port;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(Port));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, IPEndPoint.MaxPort, nameof(Port));
            _port = value;
        }
    }

    /// <summary>
    /// Gets or sets the certificate (with its private key) the server presents over TLS; the server then speaks
    /// HTTP/2 over TLS and its <see cref="ByteStreamTestServer.Address"/> is <c>https://</c>.
    /// </summary>
    /// <value>
    /// Default <see langword="null"/>: HTTP/2 without TLS (h2c). <see cref="ByteStreamTestServer.CreateChannel()"/>
    /// trusts exactly this certificate, whatever the host name and issuer; other clients must trust it themselves.
    /// <see cref="ByteStreamTestServer.StartAsync(ByteStreamTestServerOptions, CancellationToken)"/> throws
    /// <see cref="ArgumentException"/> when it has no private key.
    /// </value>
    public X509Certificate2? ServerCertificate { get; set; }

    /// <summary>
    /// Gets or sets the server's personality: the spec, a real server's quirks (Buildbarn, bazel-remote) or a
    /// hostile server that breaks the protocol. It lasts for the server's lifetime; faults apply on top.
    /// </summary>
    /// <value>Default <see cref="ByteStreamServerProfile.Standard"/>.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined profile.</exception>
    public ByteStreamServerProfile Profile
    {
        get => _profile;
        set => _profile = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(Profile), value, "Not a defined ByteStreamServerProfile.");
    }

    /// <summary>
    /// Gets or sets the HTTP/2 receive window of each call (Kestrel's <c>InitialStreamWindowSize</c>): how many bytes of an
    /// upload the client may send before the server acknowledges them. Kestrel's windows are static (no tuning to the link
    /// as in grpc-go) and it acknowledges about half a window at a time, so one upload moves at most about half to one
    /// window per round trip.
    /// </summary>
    /// <value>
    /// Default 32 MiB (<see cref="DefaultHttp2StreamWindowSize"/>): an upload fills a 1 Gbit/s link with 100 ms of round
    /// trip (docs/performance.md measures it); Kestrel's own default, 768 KiB, gives about 8 MB/s at 100 ms. It is also the
    /// most one call can make the server buffer when the service reads slower than the client sends. From 65,535 bytes
    /// to 2^31 - 1.
    /// </value>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside that range.</exception>
    public int Http2StreamWindowSize
    {
        get => _http2StreamWindowSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 65_535, nameof(Http2StreamWindowSize));
            _http2StreamWindowSize = value;
        }
    }

    /// <summary>
    /// Gets or sets the HTTP/2 receive window of each connection (Kestrel's <c>InitialConnectionWindowSize</c>), shared by
    /// the calls on it: the most the server buffers for one connection.
    /// </summary>
    /// <value>Default 64 MiB (<see cref="DefaultHttp2ConnectionWindowSize"/>): two uploads at full stream window; from 65,535 bytes to 2^31 - 1.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside that range.</exception>
    public int Http2ConnectionWindowSize
    {
        get => _http2ConnectionWindowSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 65_535, nameof(Http2ConnectionWindowSize));
            _http2ConnectionWindowSize = value;
        }
    }

    /// <summary>
    /// Gets or sets how many calls one HTTP/2 connection may carry at once (<c>SETTINGS_MAX_CONCURRENT_STREAMS</c>); a
    /// client that wants more opens more connections or waits.
    /// </summary>
    /// <value>Default 100, Kestrel's and most servers' default; at least 1.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxStreamsPerConnection
    {
        get => _maxStreamsPerConnection;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(MaxStreamsPerConnection));
            _maxStreamsPerConnection = value;
        }
    }

    internal ByteStreamTestServerOptions Clone() => (ByteStreamTestServerOptions)MemberwiseClone();
}
