using System.Buffers.Binary;
using System.Numerics;

namespace Daos;

/// <summary>
/// CRC-32C (Castagnoli), computed with <see cref="BitOperations.Crc32C(uint, ulong)"/>, which uses the SSE4.2 or
/// ARMv8 CRC instructions when present. Standard parameters: initial value and final xor 0xFFFFFFFF, so
/// "123456789" gives 0xE3069283, and <c>Compute(b, Compute(a))</c> equals <c>Compute(a + b)</c>.
/// Every on-disk record and wire header of Daos.NET carries one.
/// </summary>
public static class Crc32C
{
    /// <summary>Computes the CRC of <paramref name="data"/> continuing from <paramref name="seed"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data, uint seed = 0) => ~Update(~seed, data);

    /// <summary>Advances a raw (non-inverted) CRC register over <paramref name="data"/>.</summary>
    public static uint Update(uint register, ReadOnlySpan<byte> data)
    {
        uint crc = register;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        if (data.Length >= 4)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt32LittleEndian(data));
            data = data[4..];
        }

        foreach (byte b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }
}
