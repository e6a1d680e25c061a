namespace Bytestream.Testing.Internal;

/// <summary>
/// The stored bytes from <c>start</c> to <c>end</c>, as they are: <paramref name="passes"/> times over (a server that
/// repeats the data), or endlessly from byte 0 once the end is reached (<see cref="ByteStreamServerProfile.EndlessRead"/>).
/// </summary>
internal sealed class PlainReadPayload(StoredResource resource, long start, long end, int passes, bool endless) : IReadPayload
{
    private readonly IResourceReader _reader = resource.OpenReader();
    private readonly long _start = start;
    private long _position = start;
    private long _end = end;
    private int _passesLeft = passes - 1;

    public async ValueTask<ReadOnlyMemory<byte>> NextAsync(int max, CancellationToken cancellationToken)
    {
        if (_position == _end && _passesLeft > 0)
        {
            _passesLeft--;
            _position = _start;
        }
        else if (_position == _end && endless && resource.Length > 0)
        {
            (_position, _end) = (0, resource.Length);
        }

        var count = (int)Math.Min(_end - _position, max);
        if (count == 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        var data = await _reader.ReadAsync(_position, count, cancellationToken).ConfigureAwait(false);
        _position += count;
        return data;
    }

    public void Dispose() => _reader.Dispose();
}
