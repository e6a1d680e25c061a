using System.Buffers;

namespace Bytestream.Client.Internal.Zstd;

/// <summary>
/// The source of a compressed upload: it compresses the caller's bytes (an inner source) into one zstd frame
/// as the session asks for chunks, so <see cref="UploadSource.Position"/> counts compressed bytes, the offsets
/// of the wire. A resume always starts again at 0 (see <see cref="CommitJudge"/>): a source that can reread
/// (memory, a seekable stream) compresses again from the start with a fresh frame, holding nothing; one that
/// cannot (a non-seekable stream, a write stream) keeps the compressed bytes in its replay buffer and resends
/// them. The caller's length is checked against the blob's uncompressed size here.
/// </summary>
internal sealed class CompressingUploadSource : UploadSource
{
    private readonly UploadSource _inner;
    private readonly int _level;
    private readonly int _chunkSize;
    private readonly long _uncompressedSize;
    private readonly ReplayBuffer? _buffer;
    private readonly List<(long Compressed, long Uncompressed)> _marks = [];
    private ZstdEncoder? _encoder;
    private byte[]? _output;
    private ReadOnlyMemory<byte> _input;
    private long _consumed;
    private bool _innerEnded;
    private bool _flushAfterInput;
    private bool _frameEnded;

    public CompressingUploadSource(string resourceName, UploadSource inner, int level, int chunkSize, long uncompressedSize, long maxReplayBytes)
        : base(resourceName)
    {
        _inner = inner;
        _level = level;
        _chunkSize = chunkSize;
        _uncompressedSize = uncompressedSize;
        if (!inner.TryRestart())
        {
            _buffer = new ReplayBuffer(maxReplayBytes, chunkSize);
        }
    }

    /// <summary>Gets the length of the compressed frame once it has ended; <see langword="null"/> before.</summary>
    public long? CompressedLength => _frameEnded ? Position : null;

    public override long HeldFrom => _buffer?.Start ?? Position;

    public override ReplayBuffer? Buffer => _buffer;

    public override async ValueTask<ReadOnlyMemory<byte>> NextAsync(CancellationToken cancellationToken)
    {
        if (_buffer is { } buffer && buffer.End > Position)
        {
            return TakeBuffered(buffer);
        }

        if (_frameEnded)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        var space = _buffer?.GetSpace() ?? (_output ??= ArrayPool<byte>.Shared.Rent(_chunkSize)).AsMemory(0, _chunkSize);
        var written = 0;
        while (written == 0 && !_frameEnded)
        {
            // A flush point may come out empty (zstd had nothing held): go on to the next bytes.
            written = await CompressAsync(space, cancellationToken).ConfigureAwait(false);
        }

        if (_buffer is { } kept)
        {
            kept.Advance(written);
            return written == 0 ? ReadOnlyMemory<byte>.Empty : TakeBuffered(kept);
        }

        Position += written;
        _marks.Add((Position, _consumed));
        return space[..written];
    }

    /// <summary>A compressed upload never resumes mid-stream (<see cref="CommitJudge.RestartsOnly"/>): the judge only ever skips nothing.</summary>
    public override ValueTask SkipAsync(long count, CancellationToken cancellationToken) => count == 0
        ? default
        : throw new InvalidOperationException("A compressed upload does not resume an existing upload: it starts at 0.");

    public override async ValueTask ReplayAsync(long from, long to, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> send, CancellationToken cancellationToken)
    {
        var buffer = _buffer ?? throw new InvalidOperationException("A compressed upload from a rereadable source restarts instead of resending.");
        for (var offset = from; offset < to;)
        {
            var chunk = buffer.Read(offset, (int)Math.Min(_chunkSize, to - offset));
            await send(chunk, cancellationToken).ConfigureAwait(false);
            offset += chunk.Length;
        }
    }

    public override bool TryRestart()
    {
        if (_buffer is not null || !_inner.TryRestart())
        {
            return false;
        }

        _encoder?.Reset();
        _marks.Clear();
        _input = ReadOnlyMemory<byte>.Empty;
        _consumed = 0;
        _innerEnded = _flushAfterInput = _frameEnded = false;
        Position = 0;
        return true;
    }

    public override async ValueTask<long?> EndEarlyAsync(CancellationToken cancellationToken)
    {
        // Let a write stream take and drop the rest of its writes; its uncompressed end says nothing about compressed offsets.
        await _inner.EndEarlyAsync(cancellationToken).ConfigureAwait(false);
        return null;
    }

    public override long UncompressedAt(long offset)
    {
        // The marks are in order: the last one at or below the offset tells how much of the caller's data it carries.
        var index = _marks.BinarySearch((offset, long.MaxValue), Comparer<(long Compressed, long Uncompressed)>.Create((a, b) => a.Compressed.CompareTo(b.Compressed)));
        index = index >= 0 ? index : ~index - 1;
        return index >= 0 ? _marks[index].Uncompressed : 0;
    }

    public override ByteStreamException? CheckContent() => _inner.CheckContent();

    public override void Dispose()
    {
        _encoder?.Dispose();
        _encoder = null;
        _buffer?.Dispose();
        if (_output is { } output)
        {
            _output = null;
            ArrayPool<byte>.Shared.Return(output);
        }

        _inner.Dispose();
    }

    private ReadOnlyMemory<byte> TakeBuffered(ReplayBuffer buffer)
    {
        var chunk = buffer.Read(Position, _chunkSize);
        Position += chunk.Length;
        _marks.Add((Position, _consumed));
        return chunk;
    }

    /// <summary>Compresses the caller's next bytes into <paramref name="space"/> until it is full, a flush point is reached, or the frame ends.</summary>
    private async ValueTask<int> CompressAsync(Memory<byte> space, CancellationToken cancellationToken)
    {
        _encoder ??= ZstdEncoder.Rent(_level);
        var written = 0;
        while (written < space.Length)
        {
            if (_input.IsEmpty && !_innerEnded && !_flushAfterInput)
            {
                await ReadInnerAsync(cancellationToken).ConfigureAwait(false);
            }

            var final = _innerEnded && _input.IsEmpty;
            var status = _encoder.Compress(_input.Span, space.Span[written..], out var consumed, out var produced, isFinal: _innerEnded);
            _input = _input[consumed..];
            written += produced;
            if (final && status == OperationStatus.Done)
            {
                _frameEnded = true;
                break;
            }

            if (_flushAfterInput && _input.IsEmpty)
            {
                // A short chunk from the caller (a write stream's flush): what it wrote goes out now, not with the next chunk.
                if (_encoder.Flush(space.Span[written..], out produced) == OperationStatus.Done)
                {
                    _flushAfterInput = false;
                    written += produced;
                    break;
                }

                written += produced;
            }
        }

        return written;
    }

    private async ValueTask ReadInnerAsync(CancellationToken cancellationToken)
    {
        // The inner buffer (a write stream's) need not keep what is compressed, the compressed bytes are kept instead:
        // drop what the encoder has taken (not the chunk about to come, which may lie in the same segment).
        _inner.Buffer?.Release(_inner.Position, _inner.Position);
        var chunk = await _inner.NextAsync(cancellationToken).ConfigureAwait(false);
        if (chunk.IsEmpty)
        {
            _innerEnded = true;
            if (_consumed != _uncompressedSize)
            {
                throw ThrowHelper.LengthMismatch(ResourceName, _uncompressedSize, _consumed, 0);
            }

            return;
        }

        _consumed += chunk.Length;
        if (_consumed > _uncompressedSize)
        {
            throw ThrowHelper.LengthMismatch(ResourceName, _uncompressedSize, _consumed, 0);
        }

        _input = chunk;
        _flushAfterInput = chunk.Length < _chunkSize;
    }
}
