namespace Bytestream.Testing;

/// <summary>
/// What <see cref="ByteStreamTestServer"/> does with a <c>Write</c> to a resource that is already stored
/// complete (by <see cref="ByteStreamTestServer.SetResource"/> or by a finished upload). With
/// <see cref="ByteStreamTestServerOptions.MapUploadNamesToBlobs"/> on, a REAPI upload name also counts as
/// existing when its blob name (<c>{instance}/blobs/{hash}/{size}</c>) is stored.
/// </summary>
public enum ExistingResourceBehavior
{
    /// <summary>
    /// The Write goes ahead: it starts a new upload (at offset 0, or resending from a lower offset) that
    /// replaces the stored resource once it is finished; until then reads still see the old content.
    /// </summary>
    Overwrite,

    /// <summary>
    /// REAPI: the Write ends at once with OK and <c>committed_size</c> = the stored size, before the server
    /// reads more than the first request (another client already uploaded the same blob).
    /// </summary>
    EndEarlyOk,

    /// <summary>The Write fails with <c>ALREADY_EXISTS</c> (some REAPI servers).</summary>
    AlreadyExists,

    /// <summary>The Write fails with <c>INVALID_ARGUMENT</c> (Google's server without AllowOverwrite).</summary>
    Reject,
}
