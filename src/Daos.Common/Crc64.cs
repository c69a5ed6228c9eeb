using System.Buffers.Binary;

namespace Daos;

/// <summary>
/// CRC-64/ECMA-182 in its reflected form (polynomial 0xC96C5795D7870F42) with ISA-L's convention,
/// <c>crc64_ecma_refl(seed, buf, len)</c>: the register starts at <c>~seed</c> and the result is inverted, so
/// <c>Compute(b, Compute(a))</c> equals <c>Compute(a + b)</c>. With seed 0 this is CRC-64/XZ
/// (check value of "123456789": 0x995DC9BBDF1939FA). DAOS's placement hashes depend on this exact function.
/// </summary>
public static class Crc64
{
    private const ulong Polynomial = 0xC96C5795D7870F42UL;

    // Slicing-by-8 tables: Table[k][b] is the CRC of byte b followed by k zero bytes.
    private static readonly ulong[][] Table = BuildTables();

    /// <summary>Computes the CRC of <paramref name="data"/> continuing from <paramref name="seed"/>.</summary>
    public static ulong Compute(ReadOnlySpan<byte> data, ulong seed = 0)
    {
        ulong crc = ~seed;
        ulong[] t0 = Table[0], t1 = Table[1], t2 = Table[2], t3 = Table[3];
        ulong[] t4 = Table[4], t5 = Table[5], t6 = Table[6], t7 = Table[7];
        while (data.Length >= 8)
        {
            crc ^= BinaryPrimitives.ReadUInt64LittleEndian(data);
            crc = t7[crc & 0xFF] ^ t6[(crc >> 8) & 0xFF] ^ t5[(crc >> 16) & 0xFF] ^ t4[(crc >> 24) & 0xFF]
                ^ t3[(crc >> 32) & 0xFF] ^ t2[(crc >> 40) & 0xFF] ^ t1[(crc >> 48) & 0xFF] ^ t0[crc >> 56];
            data = data[8..];
        }

        foreach (byte b in data)
        {
            crc = t0[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    /// <summary>The CRC of the 8 little-endian bytes of <paramref name="value"/> (DAOS's <c>crc(u64, seed)</c>).</summary>
    public static ulong Compute(ulong value, ulong seed)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        return Compute(bytes, seed);
    }

    private static ulong[][] BuildTables()
    {
        var tables = new ulong[8][];
        for (int k = 0; k < 8; k++)
        {
            tables[k] = new ulong[256];
        }

        for (int b = 0; b < 256; b++)
        {
            ulong crc = (ulong)b;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ Polynomial : crc >> 1;
            }

            tables[0][b] = crc;
        }

        for (int b = 0; b < 256; b++)
        {
            for (int k = 1; k < 8; k++)
            {
                ulong previous = tables[k - 1][b];
                tables[k][b] = tables[0][previous & 0xFF] ^ (previous >> 8);
            }
        }

        return tables;
    }
}
