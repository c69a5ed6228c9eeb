using System.Globalization;
using System.Text;

namespace Daos.Common.Tests;

public sealed class ChecksumTests
{
    private static readonly byte[] Check = Encoding.ASCII.GetBytes("123456789");

    [Fact]
    public void XxHash64_matches_reference_vectors()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Vectors", "xxh64.txt");
        int checkedCount = 0;
        var seeds = new HashSet<ulong>();
        foreach (string line in File.ReadLines(path))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            string[] f = line.Split(' ');
            int length = int.Parse(f[0], CultureInfo.InvariantCulture);
            ulong salt = ulong.Parse(f[1], CultureInfo.InvariantCulture);
            ulong seed = ulong.Parse(f[2], CultureInfo.InvariantCulture);
            ulong expected = ulong.Parse(f[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            byte[] data = VectorInput(length, salt);
            Assert.True(expected == XxHash64.Hash(data, seed), $"XXH64 mismatch: length {length} salt {salt} seed {seed}");
            seeds.Add(seed);
            checkedCount++;
        }

        Assert.True(checkedCount >= 4000, $"only {checkedCount} vectors");
        Assert.True(seeds.Count >= 4);
    }

    [Fact]
    public void XxHash64_known_values()
    {
        Assert.Equal(0xEF46DB3751D8E999UL, XxHash64.Hash([]));
        // "abc" as published with the reference implementation.
        Assert.Equal(0x44BC2CF5AD770999UL, XxHash64.Hash("abc"u8));
    }

    [Fact]
    public void Crc64_matches_published_check_values()
    {
        Assert.Equal(0x995DC9BBDF1939FAUL, Crc64.Compute(Check)); // CRC-64/XZ check value
        Assert.Equal(0UL, Crc64.Compute([]));
    }

    [Fact]
    public void Crc64_table_driven_equals_bitwise_reference_and_composes()
    {
        var random = new DeterministicRandom(64);
        for (int i = 0; i < 500; i++)
        {
            byte[] data = new byte[random.Next(0, 300)];
            random.NextBytes(data);
            ulong seed = random.NextUInt64();
            Assert.Equal(BitwiseCrc64(seed, data), Crc64.Compute(data, seed));
            int cut = data.Length == 0 ? 0 : random.Next(data.Length + 1);
            Assert.Equal(Crc64.Compute(data, seed), Crc64.Compute(data.AsSpan(cut), Crc64.Compute(data.AsSpan(0, cut), seed)));
        }
    }

    [Fact]
    public void Crc64_of_uint64_hashes_little_endian_bytes()
    {
        byte[] bytes = BitConverter.GetBytes(0x0102030405060708UL);
        if (!BitConverter.IsLittleEndian)
        {
            Array.Reverse(bytes);
        }

        Assert.Equal(Crc64.Compute(bytes, 0xBABECAFE), Crc64.Compute(0x0102030405060708UL, 0xBABECAFE));
    }

    [Fact]
    public void Crc32C_matches_published_check_values()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute(Check));
        Assert.Equal(0u, Crc32C.Compute([]));
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));                      // RFC 3720 B.4: 32 zero bytes
        Assert.Equal(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray())); // 32 bytes of 0xFF
        byte[] ascending = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        Assert.Equal(0x46DD794Eu, Crc32C.Compute(ascending));                          // RFC 3720 B.4: 0..31
    }

    [Fact]
    public void Crc32C_composes_across_splits()
    {
        var random = new DeterministicRandom(32);
        for (int i = 0; i < 300; i++)
        {
            byte[] data = new byte[random.Next(0, 200)];
            random.NextBytes(data);
            int cut = random.Next(data.Length + 1);
            Assert.Equal(Crc32C.Compute(data), Crc32C.Compute(data.AsSpan(cut), Crc32C.Compute(data.AsSpan(0, cut))));
        }
    }

    private static ulong BitwiseCrc64(ulong seed, ReadOnlySpan<byte> data)
    {
        ulong rem = ~seed;
        foreach (byte b in data)
        {
            rem ^= b;
            for (int k = 0; k < 8; k++)
            {
                rem = ((rem & 1) != 0 ? 0xC96C5795D7870F42UL : 0) ^ (rem >> 1);
            }
        }

        return ~rem;
    }

    internal static byte[] VectorInput(int length, ulong salt)
    {
        byte[] data = new byte[length];
        ulong x = unchecked((salt * 6364136223846793005UL) + 1442695040888963407UL);
        for (int i = 0; i < length; i++)
        {
            x = unchecked((x * 6364136223846793005UL) + 1442695040888963407UL);
            data[i] = (byte)(x >> 56);
        }

        return data;
    }
}
