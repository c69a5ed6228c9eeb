using System.Buffers.Binary;
using System.Globalization;

namespace Daos.Bench.Cluster;

/// <summary>
/// The bytes of one transfer: a fixed random block of the transfer size, with the writer's tag and the absolute
/// offset stamped at the start of every 4 KiB page. A page read back from the wrong place, another writer's array,
/// or a hole (zeros) differs from what is expected; stamping costs 256 stores per MiB instead of regenerating it.
/// </summary>
internal sealed class TransferPattern
{
    public const int PageBytes = 4096;
    private const int StampBytes = 16;

    private readonly byte[] _base;

    public TransferPattern(int transferBytes, ulong seed)
    {
        if (transferBytes < StampBytes)
        {
            throw new ArgumentException($"the transfer size must be at least {StampBytes} bytes, not {transferBytes}");
        }

        _base = new byte[transferBytes];
        new DeterministicRandom(seed).NextBytes(_base);
    }

    public int TransferBytes => _base.Length;

    /// <summary>A buffer holding the base block, to be stamped for each transfer.</summary>
    public byte[] NewBuffer() => (byte[])_base.Clone();

    /// <summary>Makes <paramref name="buffer"/> (from <see cref="NewBuffer"/>) the bytes of the transfer at <paramref name="offset"/>.</summary>
    public static void Stamp(Span<byte> buffer, ulong writerTag, long offset)
    {
        for (int page = 0; page + StampBytes <= buffer.Length; page += PageBytes)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(buffer[page..], writerTag);
            BinaryPrimitives.WriteInt64LittleEndian(buffer[(page + 8)..], offset + page);
        }
    }

    /// <summary>Throws <see cref="DaosError.DataLoss"/> naming the first differing byte when <paramref name="actual"/> is not <paramref name="expected"/>.</summary>
    public static void Verify(ReadOnlySpan<byte> actual, ReadOnlySpan<byte> expected, string what, long offset)
    {
        if (actual.SequenceEqual(expected))
        {
            return;
        }

        int first = actual.CommonPrefixLength(expected);
        throw new DaosException(DaosError.DataLoss, string.Create(CultureInfo.InvariantCulture,
            $"{what}: the {expected.Length} bytes read at offset {offset} differ from those written, first at byte {first} (read 0x{(first < actual.Length ? actual[first] : 0):X2}, wrote 0x{expected[first]:X2})"));
    }
}
