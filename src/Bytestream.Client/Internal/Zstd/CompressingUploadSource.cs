using System.Buffers;

namespace Bytestream.Client.Internal.Zstd;

/// <summary>
/// The zstd layer of a compressed upload: it compresses the caller's bytes (an inner source) into one frame as
/// the session asks for chunks, so <see cref="UploadSource.Position"/> counts compressed bytes, the offsets of the
/// wire. A flush point of the inner source flushes the encoder, so what was written before it goes out now. It
/// goes back only to 0, by reading the inner source again with a fresh frame (the plan restarts compressed uploads
/// at 0); over a source that cannot go back, the replay buffer around this layer keeps the compressed bytes. The
/// caller's length is checked against the blob's uncompressed size here.
/// </summary>
internal sealed class CompressingUploadSource(string resourceName, UploadSource inner, int level, int chunkSize, long uncompressedSize)
    : UploadSource(resourceName)
{
    private ZstdEncoder? _encoder;
    private byte[]? _output;
    private UploadChunk _inputChunk;
    private ReadOnlyMemory<byte> _input;
    private long _consumed;
    private bool _innerEnded;
    private bool _flushPending;
    private bool _frameEnded;

    public override bool CanRewind => inner.CanRewind;

    public override long CallerPosition => _consumed;

    public override async ValueTask<UploadChunk> NextAsync(CancellationToken cancellationToken)
    {
        var space = (_output ??= ArrayPool<byte>.Shared.Rent(chunkSize)).AsMemory(0, chunkSize);
        var written = 0;
        while (written == 0 && !_frameEnded)
        {
            // A flush point may come out empty (zstd held nothing): go on to the next bytes.
            written = await CompressAsync(space, cancellationToken).ConfigureAwait(false);
        }

        Position += written;
        return written == 0 ? UploadChunk.End : new UploadChunk(space[..written]);
    }

    public override async ValueTask MoveToAsync(long offset, CancellationToken cancellationToken)
    {
        if (offset == Position)
        {
            return;
        }

        if (offset != 0)
        {
            throw new InvalidOperationException("A compressed upload does not resume mid-stream: it starts again at 0.");
        }

        await inner.MoveToAsync(0, cancellationToken).ConfigureAwait(false);
        _encoder?.Reset();
        ReleaseInput();
        _consumed = 0;
        _innerEnded = _flushPending = _frameEnded = false;
        Position = 0;
    }

    public override async ValueTask<long?> EndEarlyAsync(CancellationToken cancellationToken)
    {
        // Let a write stream take and drop the rest of its writes; its uncompressed end says nothing about compressed offsets.
        await inner.EndEarlyAsync(cancellationToken).ConfigureAwait(false);
        return null;
    }

    public override void Dispose()
    {
        _encoder?.Dispose();
        _encoder = null;
        ReleaseInput();
        if (_output is { } output)
        {
            _output = null;
            ArrayPool<byte>.Shared.Return(output);
        }

        inner.Dispose();
    }

    /// <summary>Compresses the caller's next bytes into <paramref name="space"/> until it is full, a flush point is passed, or the frame ends.</summary>
    private async ValueTask<int> CompressAsync(Memory<byte> space, CancellationToken cancellationToken)
    {
        _encoder ??= ZstdEncoder.Rent(level);
        var written = 0;
        while (written < space.Length)
        {
            if (_input.IsEmpty && !_innerEnded && !_flushPending)
            {
                await ReadInnerAsync(cancellationToken).ConfigureAwait(false);
            }

            int produced;
            if (_flushPending && _input.IsEmpty)
            {
                // What the caller flushed goes out now, not with the next chunk.
                var flushed = _encoder.Flush(space.Span[written..], out produced) == OperationStatus.Done;
                written += produced;
                if (flushed)
                {
                    _flushPending = false;
                    break;
                }

                continue;
            }

            var status = _encoder.Compress(_input.Span, space.Span[written..], out var consumed, out produced, isFinal: _innerEnded);
            _input = _input[consumed..];
            written += produced;
            if (_innerEnded && status == OperationStatus.Done)
            {
                _frameEnded = true;
                break;
            }
        }

        return written;
    }

    private async ValueTask ReadInnerAsync(CancellationToken cancellationToken)
    {
        ReleaseInput();
        var chunk = await inner.NextAsync(cancellationToken).ConfigureAwait(false);
        if (chunk.IsEnd)
        {
            _innerEnded = true;
            if (_consumed != uncompressedSize)
            {
                throw ThrowHelper.LengthMismatch(ResourceName, uncompressedSize, _consumed, 0);
            }

            return;
        }

        _consumed += chunk.Data.Length;
        if (_consumed > uncompressedSize)
        {
            chunk.Release();
            throw ThrowHelper.LengthMismatch(ResourceName, uncompressedSize, _consumed, 0);
        }

        _inputChunk = chunk;
        _input = chunk.Data;
        _flushPending = chunk.Flush;
    }

    private void ReleaseInput()
    {
        _inputChunk.Release();
        _inputChunk = default;
        _input = ReadOnlyMemory<byte>.Empty;
    }
}
