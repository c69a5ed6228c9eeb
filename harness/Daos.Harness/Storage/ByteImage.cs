namespace Daos.Harness.Storage;

/// <summary>A growable in-memory file image: bytes beyond the length always read as zero.</summary>
internal sealed class ByteImage
{
    private byte[] _data = [];

    public long Length { get; private set; }

    public ByteImage Clone()
    {
        var copy = new ByteImage { Length = Length };
        copy._data = _data.AsSpan(0, (int)Length).ToArray();
        return copy;
    }

    public byte[] ToArray() => _data.AsSpan(0, (int)Length).ToArray();

    public int Read(long offset, Span<byte> destination)
    {
        if (offset >= Length)
        {
            return 0;
        }

        int n = (int)Math.Min(destination.Length, Length - offset);
        _data.AsSpan((int)offset, n).CopyTo(destination);
        return n;
    }

    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        long end = offset + source.Length;
        if (end > int.MaxValue)
        {
            throw new DaosException(DaosError.NoSpace, $"simulated files are limited to 2 GiB; write ends at {end}");
        }

        Reserve(end);
        source.CopyTo(_data.AsSpan((int)offset));
        Length = Math.Max(Length, end);
    }

    public void SetLength(long length)
    {
        if (length > int.MaxValue)
        {
            throw new DaosException(DaosError.NoSpace, $"simulated files are limited to 2 GiB; asked for {length}");
        }

        if (length < Length)
        {
            _data.AsSpan((int)length, (int)(Length - length)).Clear();
        }
        else
        {
            Reserve(length);
        }

        Length = length;
    }

    public void FlipBit(long offset, int bit)
    {
        if (offset < Length)
        {
            _data[offset] ^= (byte)(1 << bit);
        }
    }

    private void Reserve(long size)
    {
        if (size <= _data.Length)
        {
            return;
        }

        long capacity = Math.Max(size, Math.Min((long)_data.Length * 2, int.MaxValue));
        Array.Resize(ref _data, (int)Math.Max(capacity, 4096));
    }
}
