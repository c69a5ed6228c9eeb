using System.Buffers.Binary;
using System.Text;
using Daos.Harness.Storage;
using Daos.Vos.Btree;
using Daos.Vos.Umem;
using static Daos.Vos.Tests.Umem.HeapTestKit;

namespace Daos.Vos.Tests.Btree;

/// <summary>Heaps holding one tree rooted in the heap's client root area, keys per class, and the naive model's order.</summary>
internal static class TreeTestKit
{
    public const long RootAt = UmemHeap.RootOffset;

    public static readonly BtreeKeyClass[] Classes =
        [BtreeKeyClass.Hashed, BtreeKeyClass.Lexical, BtreeKeyClass.UInt64, BtreeKeyClass.Pair64, BtreeKeyClass.Triple64];

    public static UmemOptions TreeOptions(long heapBytes = 2L << 20) =>
        Options(heapBytes: heapBytes, walBytes: 512L << 10);

    public static (UmemHeap Heap, BplusTree Tree) NewTree(SimulatedMedium medium, BtreeKeyClass keyClass, int order, int valueBytes,
        BtreeFeatures features, UmemOptions? options = null)
    {
        UmemHeap heap = Create(medium, options ?? TreeOptions());
        UmemTransaction tx = heap.Begin();
        BplusTree tree = BplusTree.Create(tx, RootAt, keyClass, order, valueBytes, features);
        Commit(tx);
        return (heap, tree);
    }

    /// <summary>A distinct key per <paramref name="k"/>, with prefixes, long shared prefixes and large numbers mixed in.</summary>
    public static byte[] KeyFor(BtreeKeyClass keyClass, int k)
    {
        switch (keyClass)
        {
            case BtreeKeyClass.Hashed:
                return Encoding.ASCII.GetBytes("k" + k.ToString(System.Globalization.CultureInfo.InvariantCulture) + new string('x', k % 5));
            case BtreeKeyClass.Lexical:
                // Bijective base 3 over "abc": every string is a key, so many keys are prefixes of others.
                var text = new StringBuilder(k % 4 == 0 ? "zzzzzzzzzz" : "");
                var digits = new StringBuilder();
                for (int n = k + 1; n > 0; n = (n - 1) / 3)
                {
                    digits.Insert(0, (char)('a' + ((n - 1) % 3)));
                }

                return Encoding.ASCII.GetBytes(text.Append(digits).ToString());
            case BtreeKeyClass.UInt64:
                byte[] u = new byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(u, unchecked((ulong)k * 0x9E3779B97F4A7C15));
                return u;
            case BtreeKeyClass.Pair64:
                byte[] p = new byte[16];
                BinaryPrimitives.WriteUInt64LittleEndian(p, (ulong)(k % 7));
                BinaryPrimitives.WriteUInt64LittleEndian(p.AsSpan(8), unchecked((ulong)k * 31));
                return p;
            default:
                byte[] t = new byte[24];
                BinaryPrimitives.WriteUInt64LittleEndian(t, (ulong)(k % 5));
                BinaryPrimitives.WriteUInt64LittleEndian(t.AsSpan(8), ulong.MaxValue - (ulong)(k % 3));
                BinaryPrimitives.WriteUInt64LittleEndian(t.AsSpan(16), (ulong)k);
                return t;
        }
    }

    /// <summary>The order the tree must keep, written the naive way.</summary>
    public static IComparer<byte[]> ModelOrder(BtreeKeyClass keyClass) => keyClass switch
    {
        BtreeKeyClass.Hashed => Comparer<byte[]>.Create(static (x, y) =>
        {
            int c = XxHash64.Hash(x).CompareTo(XxHash64.Hash(y));
            return c != 0 ? c : x.AsSpan().SequenceCompareTo(y);
        }),
        BtreeKeyClass.Lexical => Comparer<byte[]>.Create(static (x, y) => x.AsSpan().SequenceCompareTo(y)),
        _ => Comparer<byte[]>.Create(static (x, y) =>
        {
            for (int at = 0; at < x.Length; at += 8)
            {
                int c = BinaryPrimitives.ReadUInt64LittleEndian(x.AsSpan(at)).CompareTo(BinaryPrimitives.ReadUInt64LittleEndian(y.AsSpan(at)));
                if (c != 0)
                {
                    return c;
                }
            }

            return 0;
        }),
    };

    /// <summary>Every record in cursor order.</summary>
    public static List<(byte[] Key, byte[] Value)> Contents(BplusTree tree)
    {
        var all = new List<(byte[], byte[])>();
        BplusTree.Cursor cursor = tree.OpenCursor();
        for (bool more = cursor.SeekFirst(); more; more = cursor.MoveNext())
        {
            all.Add((cursor.Key.ToArray(), cursor.Value.ToArray()));
        }

        return all;
    }

    public static string Describe(List<(byte[] Key, byte[] Value)> records) =>
        string.Join(",", records.Select(r => Convert.ToHexString(r.Key) + "=" + Convert.ToHexString(r.Value)));
}
