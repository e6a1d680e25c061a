using System.Diagnostics.CodeAnalysis;
using Grpc.Core;

namespace Bytestream.Testing.Internal;

/// <summary>
/// The server's state: complete resources and uploads in progress, their bytes kept by a
/// <see cref="ResourceStorage"/> (memory, or files under a directory). One lock guards both; every
/// operation under it is short.
/// </summary>
internal sealed class ResourceStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, StoredResource> _resources = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Upload> _uploads = new(StringComparer.Ordinal);
    private readonly bool _mapUploadNamesToBlobs;
    private readonly ResourceStorage _storage;

    public ResourceStore(bool mapUploadNamesToBlobs, ResourceStorage storage)
    {
        _mapUploadNamesToBlobs = mapUploadNamesToBlobs;
        _storage = storage;
        _storage.Load(_resources, _uploads);
    }

    /// <summary>Returns why the storage cannot hold <paramref name="name"/>, or <see langword="null"/> when it can.</summary>
    public string? GetInvalidNameReason(string name) => _storage.GetInvalidNameReason(name);

    /// <summary>Fails a call on a name the storage cannot hold.</summary>
    /// <exception cref="RpcException">INVALID_ARGUMENT, with the reason.</exception>
    public void ThrowIfInvalidName(string name)
    {
        if (GetInvalidNameReason(name) is { } reason)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"The resource name '{name}' cannot be stored under the server's directory: {reason}."));
        }
    }

    /// <summary>Stores a complete resource; the store owns <paramref name="data"/> from now on and never changes it.</summary>
    public void SetResource(string name, byte[] data)
    {
        lock (_gate)
        {
            _resources[name] = _storage.Store(name, data);
        }
    }

    /// <summary>Gets a complete resource.</summary>
    public bool TryGetResource(string name, [NotNullWhen(true)] out StoredResource? resource)
    {
        lock (_gate)
        {
            return TryGetStored(name, out resource);
        }
    }

    /// <summary>Gets the size of the stored resource a Write to <paramref name="name"/> would duplicate: the name's own or its REAPI blob's.</summary>
    public bool TryGetExistingSize(string name, out long size)
    {
        lock (_gate)
        {
            if (TryGetStored(name, out var data)
                || (_mapUploadNamesToBlobs && ReapiNames.TryGetBlobName(name, out var blobName) && TryGetStored(blobName, out data)))
            {
                size = data.Length;
                return true;
            }

            size = 0;
            return false;
        }
    }

    /// <summary>
    /// The true write status: an upload in progress first, else a stored resource. <paramref name="decoded"/> is what
    /// a compressed upload in progress decodes to so far (0 otherwise).
    /// </summary>
    public bool TryGetWriteStatus(string name, out long committedSize, out bool complete, out long decoded)
    {
        lock (_gate)
        {
            decoded = 0;
            if (_uploads.TryGetValue(name, out var upload))
            {
                (committedSize, complete, decoded) = (upload.Committed, false, upload.Decoded);
                return true;
            }

            if (TryGetStored(name, out var data))
            {
                (committedSize, complete) = (data.Length, true);
                return true;
            }

            (committedSize, complete) = (0, false);
            return false;
        }
    }

    /// <summary>
    /// Makes Write call <paramref name="callId"/> the owner of the upload of <paramref name="name"/>,
    /// truncated to <paramref name="offset"/>; a stored resource counts as an upload committed in full.
    /// With <paramref name="noRewind"/>, an upload in progress continues only at its committed size.
    /// </summary>
    /// <exception cref="RpcException">
    /// FAILED_PRECONDITION: <paramref name="offset"/> is beyond the committed size, or below it with <paramref name="noRewind"/>.
    /// </exception>
    public Upload BeginWrite(string name, long offset, long callId, bool noRewind = false)
    {
        lock (_gate)
        {
            if (!_uploads.TryGetValue(name, out var upload))
            {
                TryGetStored(name, out var stored);
                var committed = stored?.Length ?? 0;
                CheckOffset(name, offset, committed);
                upload = _storage.StartUpload(name, stored);
                _uploads.Add(name, upload);
            }
            else
            {
                CheckOffset(name, offset, upload.Committed);
                if (noRewind && offset < upload.Committed)
                {
                    throw new RpcException(new Status(
                        StatusCode.FailedPrecondition,
                        $"write_offset {offset} of '{name}' differs from its committed size {upload.Committed} (RequireWriteOffsetAtCommittedSize)."));
                }
            }

            // A new call takes the upload over: a call the client gave up on must not append any more.
            upload.Truncate(offset);
            upload.Decoded = 0;   // a compressed upload always starts again at 0, with a fresh stream to decode
            upload.Owner = callId;
            return upload;
        }
    }

    /// <summary>
    /// Appends received bytes for the owning call and commits all but the last <paramref name="commitLag"/>
    /// bytes held (nothing when <paramref name="commit"/> is false). A lagging commit is applied as bytes
    /// arrive, not only when the call fails, so QueryWriteStatus never reports bytes a failure then takes back.
    /// </summary>
    /// <exception cref="RpcException">ABORTED: another Write call took the upload over, or the server was reset.</exception>
    public void Append(string name, Upload upload, long callId, ReadOnlyMemory<byte> data, bool commit, long commitLag = 0, long decoded = 0)
    {
        lock (_gate)
        {
            CheckOwner(name, upload, callId);
            upload.Append(data);
            upload.Decoded = decoded;
            if (commit)
            {
                upload.Committed = Math.Max(upload.Committed, upload.Length - commitLag);
            }
        }
    }

    /// <summary>Starts the blob a Write call to the compressed upload <paramref name="uploadName"/> decodes to (see <see cref="ResourceStorage.StartDecoded"/>).</summary>
    /// <exception cref="RpcException">INVALID_ARGUMENT: a blob the storage cannot hold.</exception>
    public DecodedBlob StartDecoded(string uploadName, long size)
    {
        lock (_gate)
        {
            return _storage.StartDecoded(uploadName, size);
        }
    }

    /// <summary>
    /// Completes the upload: stores it as a resource and under its REAPI blob name, and returns its size. A compressed
    /// upload is stored as received under its own name, and its <paramref name="decoded"/> blob under the plain blob name.
    /// <paramref name="verify"/>, when given, checks the blob first and throws to refuse it.
    /// </summary>
    /// <exception cref="RpcException">ABORTED: another Write call took the upload over, or the server was reset; or what <paramref name="verify"/> throws.</exception>
    public long Finish(string name, Upload upload, long callId, DecodedBlob? decoded = null, Action? verify = null)
    {
        lock (_gate)
        {
            CheckOwner(name, upload, callId);
            verify?.Invoke();
            var resource = _storage.Complete(name, upload);
            _uploads.Remove(name);
            _resources[name] = resource;
            if (_mapUploadNamesToBlobs && ReapiNames.TryGetBlobName(name, out var blobName))
            {
                _resources[blobName] = decoded is not null ? _storage.StoreDecoded(blobName, decoded) : _storage.Alias(blobName, resource);
            }

            return resource.Length;
        }
    }

    /// <summary>
    /// Ends the owning call without finish_write and returns the committed size: everything received
    /// stays after a clean end; after a failure only what is received less <paramref name="commitLag"/>
    /// (never below <paramref name="startOffset"/>); nothing when <paramref name="discard"/> is set.
    /// A call that no longer owns the upload changes nothing.
    /// </summary>
    public long EndWithoutFinish(string name, Upload upload, long callId, bool failed, long startOffset, long commitLag, bool discard, bool forget = false)
    {
        lock (_gate)
        {
            if (!IsOwner(name, upload, callId))
            {
                return upload.Committed;
            }

            if (failed && forget)
            {
                _uploads.Remove(name);
                upload.Release();
                return 0;
            }

            if (discard)
            {
                upload.Truncate(0);
            }
            else if (failed)
            {
                upload.Truncate(Math.Max(startOffset, upload.Length - commitLag));
            }
            else
            {
                upload.Committed = upload.Length;
            }

            upload.Owner = 0;
            upload.Release();
            return upload.Committed;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _storage.Clear(_resources.Values, _uploads.Values);
            _resources.Clear();
            _uploads.Clear();
        }
    }

    private static void CheckOffset(string name, long offset, long committed)
    {
        if (offset > committed)
        {
            throw new RpcException(new Status(
                StatusCode.FailedPrecondition,
                $"write_offset {offset} of '{name}' is beyond its committed size {committed}; ask QueryWriteStatus where to continue."));
        }
    }

    private bool IsOwner(string name, Upload upload, long callId) =>
        upload.Owner == callId && _uploads.TryGetValue(name, out var current) && ReferenceEquals(current, upload);

    private void CheckOwner(string name, Upload upload, long callId)
    {
        if (!IsOwner(name, upload, callId))
        {
            throw new RpcException(new Status(
                StatusCode.Aborted,
                $"Another Write call took over the upload of '{name}' (or the server was reset); this call can no longer write."));
        }
    }

    /// <summary>A complete resource: indexed, or found in the storage since it started (then indexed). Called under the lock.</summary>
    private bool TryGetStored(string name, [NotNullWhen(true)] out StoredResource? resource)
    {
        if (_resources.TryGetValue(name, out resource))
        {
            return true;
        }

        resource = _storage.Find(name);
        if (resource is null)
        {
            return false;
        }

        _resources[name] = resource;
        return true;
    }
}
