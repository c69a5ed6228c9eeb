namespace Daos.Storage;

/// <summary>
/// One open file of an <see cref="IStorageMedium"/>: positional reads and writes, a length, and a durability
/// barrier with <c>fdatasync</c> semantics.
/// </summary>
/// <remarks>Not thread-safe. Reads past the end return fewer bytes; writes past the end extend the file with zeros in between.</remarks>
public interface IMediumFile : IDisposable
{
    /// <summary>The file's name in its medium.</summary>
    string Name { get; }

    /// <summary>The current length in bytes (including writes not yet durable).</summary>
    long Length { get; }

    /// <summary>Reads up to <paramref name="destination"/>.Length bytes at <paramref name="offset"/>; returns how many were read.</summary>
    int Read(long offset, Span<byte> destination);

    /// <summary>Writes all of <paramref name="source"/> at <paramref name="offset"/>.</summary>
    void Write(long offset, ReadOnlySpan<byte> source);

    /// <summary>Asynchronous <see cref="Read"/>.</summary>
    ValueTask<int> ReadAsync(long offset, Memory<byte> destination, CancellationToken ct = default);

    /// <summary>Asynchronous <see cref="Write"/>.</summary>
    ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> source, CancellationToken ct = default);

    /// <summary>Truncates or extends (with zeros) the file.</summary>
    void SetLength(long length);

    /// <summary>Durability barrier: returns once every earlier write and length change of this file is durable.</summary>
    void Flush();

    /// <summary>Asynchronous <see cref="Flush"/>.</summary>
    ValueTask FlushAsync(CancellationToken ct = default);
}
