using System.Text;
using Daos.Placement.Hashing;

namespace Daos.Placement.Tests;

public sealed class PlacementHashTests
{
    // Published vectors of Lamping and Veach's jump consistent hash, shared by every faithful implementation.
    [Theory]
    [InlineData(1UL, 1, 0)]
    [InlineData(42UL, 57, 43)]
    [InlineData(0xDEAD10CCUL, 1, 0)]
    [InlineData(0xDEAD10CCUL, 666, 361)]
    [InlineData(256UL, 1024, 520)]
    [InlineData(1UL, 128, 55)]
    [InlineData(129UL, 128, 120)]
    [InlineData(128UL, 100000000, 38172097)]
    [InlineData(ulong.MaxValue, 128, 92)]
    public void Jump_matches_published_vectors(ulong key, int buckets, int expected) =>
        Assert.Equal(expected, PlacementHash.Jump(key, buckets));

    [Fact]
    public void Jump_moves_about_one_in_n_keys_when_a_bucket_is_added()
    {
        const int keys = 20_000;
        int moved = 0;
        for (ulong k = 0; k < keys; k++)
        {
            ulong key = PlacementHash.JmCrc(k, 0, 0);
            int before = PlacementHash.Jump(key, 10), after = PlacementHash.Jump(key, 11);
            if (before != after)
            {
                Assert.Equal(10, after); // a key only ever moves to the new bucket
                moved++;
            }
        }

        Assert.InRange(moved / (double)keys, 1 / 11.0 * 0.9, 1 / 11.0 * 1.1);
    }

    [Fact]
    public void JmCrc_is_the_isa_l_crc64_of_the_three_words()
    {
        // Bitwise ISA-L crc64_ecma_refl written out as REFERENCE.md 3.2 states it, as an independent model.
        static ulong Model(ulong seed, byte[] data)
        {
            ulong rem = ~seed;
            foreach (byte b in data)
            {
                rem ^= b;
                for (int i = 0; i < 8; i++)
                {
                    rem = ((rem & 1) != 0 ? 0xC96C5795D7870F42UL : 0) ^ (rem >> 1);
                }
            }

            return ~rem;
        }

        var rng = new DeterministicRandom(7);
        for (int i = 0; i < 200; i++)
        {
            ulong a = rng.NextUInt64(), b = rng.NextUInt64(), c = rng.NextUInt64();
            byte[] bytes = new byte[24];
            BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), a);
            BitConverter.TryWriteBytes(bytes.AsSpan(8, 8), b);
            BitConverter.TryWriteBytes(bytes.AsSpan(16, 8), c);
            Assert.Equal(Model(0xbabecafe, bytes), PlacementHash.JmCrc(a, b, c));
        }
    }

    [Fact]
    public void Murmur64_matches_an_independent_bytewise_model()
    {
        // MurmurHash64A as Appleby published it, with the tail folded byte by byte: an independent model.
        static ulong Model(byte[] data, uint seed)
        {
            const ulong m = 0xc6a4a7935bd1e995UL;
            ulong h = seed ^ ((ulong)data.Length * m);
            int blocks = data.Length / 8;
            for (int i = 0; i < blocks; i++)
            {
                ulong k = BitConverter.ToUInt64(data, i * 8);
                k *= m;
                k ^= k >> 47;
                k *= m;
                h ^= k;
                h *= m;
            }

            int rest = data.Length % 8;
            if (rest > 0)
            {
                for (int i = rest - 1; i >= 0; i--)
                {
                    h ^= (ulong)data[blocks * 8 + i] << (8 * i);
                }

                h *= m;
            }

            h ^= h >> 47;
            h *= m;
            h ^= h >> 47;
            return h;
        }

        var rng = new DeterministicRandom(11);
        for (int length = 0; length < 40; length++)
        {
            byte[] data = new byte[length];
            rng.NextBytes(data);
            Assert.Equal(Model(data, 5731), PlacementHash.Murmur64(data, 5731));
        }

        Assert.Equal(0UL, PlacementHash.Murmur64([], 0));
    }

    [Fact]
    public void Integer_dkeys_hash_to_themselves_for_integer_dkey_types()
    {
        byte[] dkey = BitConverter.GetBytes(0x1234_5678_9abc_def0UL);
        Assert.Equal(0x1234_5678_9abc_def0UL, PlacementHash.DkeyHash(ObjectType.DkeyUInt64, dkey));
        Assert.Equal(0x1234_5678_9abc_def0UL, PlacementHash.DkeyHash(ObjectType.Array, dkey));
        Assert.Equal(PlacementHash.Murmur64(dkey, 5731), PlacementHash.DkeyHash(ObjectType.MultiHashed, dkey));
        byte[] text = Encoding.UTF8.GetBytes("dkey");
        Assert.Equal(PlacementHash.Murmur64(text, 5731), PlacementHash.DkeyHash(ObjectType.KeyValue, text));
    }
}
