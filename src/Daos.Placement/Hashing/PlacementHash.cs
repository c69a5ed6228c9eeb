using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Daos.Placement.Hashing;

/// <summary>
/// The hash functions placement depends on, bit for bit as DAOS computes them (REFERENCE.md 3.2), so that a
/// layout computed here names the same targets as one computed by DAOS for the same map and object id.
/// </summary>
internal static class PlacementHash
{
    /// <summary>Seed of the three-word CRC (DAOS's <c>jm_crc</c>).</summary>
    public const ulong JmSeed = 0xbabecafe;

    /// <summary>Third word of the object key (layout version 2).</summary>
    public const ulong ObjectKeySalt = 0xbabeface;

    /// <summary>Third word of the spare-search key used to remap failed shards (layout version 2).</summary>
    public const ulong RebuildKeySalt = 0xDead2Bad;

    /// <summary>Seed of the MurmurHash64A that hashes distribution keys (DAOS's <c>d_hash_murmur64(.., 5731)</c>).</summary>
    public const uint DkeySeed = 5731;

    /// <summary>CRC-64/ECMA (ISA-L, reflected) of the 24 little-endian bytes of (a, b, c), seeded 0xbabecafe.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong JmCrc(ulong a, ulong b, ulong c)
    {
        Span<byte> bytes = stackalloc byte[24];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, a);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[8..], b);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[16..], c);
        return Crc64.Compute(bytes, JmSeed);
    }

    /// <summary>
    /// DAOS's <c>crc(data, init)</c> of layout version 1: CRC-64/ECMA (ISA-L) of the 8 little-endian bytes of
    /// <paramref name="data"/> seeded with a 32-bit <paramref name="init"/>.
    /// </summary>
    public static ulong Crc(ulong data, uint init) => Crc64.Compute(data, init);

    /// <summary>The object key every layout starts from (DAOS's <c>jm_oid_hash</c> for layout version 2).</summary>
    public static ulong ObjectKey(ObjectId oid) => JmCrc(oid.Hi, oid.Lo, ObjectKeySalt);

    /// <summary>The key spares are searched with when failed shards are remapped.</summary>
    public static ulong RebuildKey(ObjectId oid) => JmCrc(oid.Lo, oid.Hi, RebuildKeySalt);

    /// <summary>
    /// Jump consistent hash (Lamping and Veach) exactly as DAOS's <c>d_hash_jump</c> writes it, double arithmetic
    /// included: maps <paramref name="key"/> to a bucket in [0, <paramref name="buckets"/>), moving only about 1/n
    /// of keys when a bucket is added.
    /// </summary>
    public static int Jump(ulong key, int buckets)
    {
        long z = -1;
        long y = 0;
        while (y < buckets)
        {
            z = y;
            key = unchecked((key * 2862933555777941757UL) + 1);
            y = (long)((z + 1) * ((double)(1L << 31) / (double)((key >> 33) + 1)));
        }

        return (int)z;
    }

    /// <summary>MurmurHash64A (Austin Appleby), as DAOS's <c>d_hash_murmur64</c>: the hash of a distribution key.</summary>
    public static ulong Murmur64(ReadOnlySpan<byte> data, uint seed)
    {
        const ulong m = 0xc6a4a7935bd1e995UL;
        const int r = 47;
        ulong h = seed ^ unchecked((ulong)data.Length * m);
        int blocks = data.Length / 8;
        for (int i = 0; i < blocks; i++)
        {
            ulong k = BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(i * 8, 8));
            unchecked
            {
                k *= m;
                k ^= k >> r;
                k *= m;
                h ^= k;
                h *= m;
            }
        }

        ReadOnlySpan<byte> tail = data[(blocks * 8)..];
        unchecked
        {
            switch (tail.Length)
            {
                case 7: h ^= (ulong)tail[6] << 48; goto case 6;
                case 6: h ^= (ulong)tail[5] << 40; goto case 5;
                case 5: h ^= (ulong)tail[4] << 32; goto case 4;
                case 4: h ^= (ulong)tail[3] << 24; goto case 3;
                case 3: h ^= (ulong)tail[2] << 16; goto case 2;
                case 2: h ^= (ulong)tail[1] << 8; goto case 1;
                case 1:
                    h ^= tail[0];
                    h *= m;
                    break;
            }

            h ^= h >> r;
            h *= m;
            h ^= h >> r;
        }

        return h;
    }

    /// <summary>
    /// The hash of a distribution key (DAOS's <c>obj_dkey2hash</c>): for object types whose dkeys are 64-bit
    /// integers (including the array types), the integer itself; otherwise MurmurHash64A seeded 5731.
    /// </summary>
    public static ulong DkeyHash(ObjectType type, ReadOnlySpan<byte> dkey)
    {
        bool integerDkey = type is ObjectType.DkeyUInt64 or ObjectType.MultiUInt64 or ObjectType.KeyValueUInt64
            or ObjectType.Array or ObjectType.ArrayAttribute or ObjectType.ByteArray;
        if (integerDkey && dkey.Length == sizeof(ulong))
        {
            return BinaryPrimitives.ReadUInt64LittleEndian(dkey);
        }

        return Murmur64(dkey, DkeySeed);
    }
}
