namespace Daos.Client.Arrays;

/// <summary>
/// <see cref="Stream"/> over a byte array. The position lives here; the length is asked of the array each time (it is
/// not cached: other writers may change it). The synchronous members block on the asynchronous ones.
/// </summary>
/// <remarks>Not thread-safe, like every <see cref="Stream"/>: one reader or writer at a time.</remarks>
internal sealed class DaosArrayStream : Stream
{
    private readonly DaosArray _array;
    private long _position;
    private bool _disposed;

    public DaosArrayStream(DaosArray array) => _array = array;

    public override bool CanRead => !_disposed;

    public override bool CanSeek => !_disposed;

    public override bool CanWrite => !_disposed;

    public override long Length
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _array.GetSizeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    public override long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    public override void Flush()
    {
        // Every write is acknowledged by the target before WriteAsync completes: nothing is buffered here.
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        byte[] temporary = new byte[buffer.Length];
        int read = ReadAsync(temporary.AsMemory()).AsTask().GetAwaiter().GetResult();
        temporary.AsSpan(0, read).CopyTo(buffer);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        int read = await _array.ReadAsync(_position, buffer, null, cancellationToken);
        _position += read;
        return read;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer) => WriteAsync(buffer.ToArray()).AsTask().GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _array.WriteAsync(_position, buffer, null, cancellationToken);
        _position += buffer.Length;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        if (target < 0)
        {
            throw new IOException($"cannot seek to {target}, before the start of the array");
        }

        _position = target;
        return target;
    }

    public override void SetLength(long value)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        _array.SetSizeAsync(value).AsTask().GetAwaiter().GetResult();

        // As FileStream and MemoryStream: a position past the new end moves to the end.
        _position = Math.Min(_position, value);
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        base.Dispose(disposing);
    }
}
