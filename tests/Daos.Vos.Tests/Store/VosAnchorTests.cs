using System.Buffers.Binary;
using System.Text;
using static Daos.Vos.Tests.Store.VosTestKit;

namespace Daos.Vos.Tests.Store;

/// <summary>Paged enumeration with anchors: stable order, key-based resumption, hostile anchor bytes.</summary>
public sealed class VosAnchorTests
{
    private static readonly ReadOnlyMemory<byte> A = K("akey"), Arr = K("array");

    private static string Text(byte[] key) => Encoding.UTF8.GetString(key);

    [Fact]
    public async Task Dkey_pages_resume_after_the_anchor_key_when_keys_are_inserted_and_removed_between_pages()
    {
        (_, VosPool pool, VosContainer c) = await NewAsync();
        for (int i = 0; i < 10; i++)
        {
            await c.UpdateAsync(Lexical, E(1), K($"d{i}0"), A, K("v"));
        }

        VosPage<byte[]> first = await c.ListDkeysAsync(Lexical, E(5), VosAnchor.Start, 3);
        Assert.Equal(["d00", "d10", "d20"], first.Items.Select(Text));
        Assert.False(first.IsEnd);

        // Between pages: a key before the anchor (not listed), one after it (listed), one removed, one removed
        // that the anchor itself names (the next page still starts right after it).
        await c.UpdateAsync(Lexical, E(2), K("d05"), A, K("v"));
        await c.UpdateAsync(Lexical, E(2), K("d25"), A, K("v"));
        await c.PunchDkeyAsync(Lexical, E(2), K("d40"));
        await c.PunchDkeyAsync(Lexical, E(2), K("d20"));
        VosAnchor resumed = VosAnchor.FromBytes(first.Next.ToBytes());
        VosPage<byte[]> second = await c.ListDkeysAsync(Lexical, E(5), resumed, 3);
        Assert.Equal(["d25", "d30", "d50"], second.Items.Select(Text));

        var rest = new List<string>();
        VosAnchor anchor = second.Next;
        while (!anchor.IsEnd)
        {
            VosPage<byte[]> page = await c.ListDkeysAsync(Lexical, E(5), anchor, 3);
            rest.AddRange(page.Items.Select(Text));
            anchor = page.Next;
        }

        Assert.Equal(["d60", "d70", "d80", "d90"], rest);

        // An end anchor stays at the end; a page that ends exactly at the last key says so.
        VosPage<byte[]> end = await c.ListDkeysAsync(Lexical, E(5), anchor, 3);
        Assert.True(end.IsEnd);
        Assert.Empty(end.Items);
        VosPage<byte[]> all = await c.ListDkeysAsync(Lexical, E(5), VosAnchor.Start, 10);
        Assert.True(all.IsEnd);
        Assert.Equal(10, all.Items.Count);
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task Hashed_and_uint64_keys_page_in_the_object_types_order()
    {
        (_, VosPool pool, VosContainer c) = await NewAsync();
        for (ulong i = 0; i < 20; i++)
        {
            await c.UpdateAsync(Hashed, E(1), K($"key{i}"), A, K("v"));
            await c.UpdateAsync(UInt64Keys, E(1), K(i * 1000), K(7UL), K("v"));
            await c.UpdateAsync(UInt64Keys, E(1), K(999_999UL), K(i), K("v"));
        }

        List<string> whole = (await ToListAsync(c.ListDkeysAsync(Hashed, E(1)))).Select(Text).ToList();
        var paged = new List<string>();
        for (VosAnchor a = VosAnchor.Start; !a.IsEnd;)
        {
            VosPage<byte[]> page = await c.ListDkeysAsync(Hashed, E(1), a, 7);
            paged.AddRange(page.Items.Select(Text));
            a = page.Next;
        }

        Assert.Equal(whole, paged);
        VosPage<byte[]> numbers = await c.ListDkeysAsync(UInt64Keys, E(1), VosAnchor.Start, 4);
        Assert.Equal([0UL, 1000, 2000, 3000], numbers.Items.Select(k => BinaryPrimitives.ReadUInt64LittleEndian(k)));
        await c.UpdateAsync(UInt64Keys, E(2), K(3500UL), K(7UL), K("v"));
        VosPage<byte[]> next = await c.ListDkeysAsync(UInt64Keys, E(2), numbers.Next, 2);
        Assert.Equal([3500UL, 4000], next.Items.Select(k => BinaryPrimitives.ReadUInt64LittleEndian(k)));
        VosPage<byte[]> akeys = await c.ListAkeysAsync(UInt64Keys, E(1), K(999_999UL), VosAnchor.Start, 3);
        Assert.Equal([0UL, 1, 2], akeys.Items.Select(k => BinaryPrimitives.ReadUInt64LittleEndian(k)));
        await c.PunchAkeyAsync(UInt64Keys, E(2), K(999_999UL), K(3UL));
        akeys = await c.ListAkeysAsync(UInt64Keys, E(2), K(999_999UL), akeys.Next, 3);
        Assert.Equal([4UL, 5, 6], akeys.Items.Select(k => BinaryPrimitives.ReadUInt64LittleEndian(k)));
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task Object_and_extent_pages_resume_by_id_and_by_record_index()
    {
        (_, VosPool pool, VosContainer c) = await NewAsync();
        ObjectId[] objects = [.. Enumerable.Range(0, 6).Select(i => ObjectId.Create(ObjectType.MultiHashed, ObjectClass.S1, (ulong)(10 * i + 10)))];
        foreach (ObjectId oid in objects)
        {
            await c.UpdateAsync(oid, E(1), K("d"), A, K("v"));
        }

        VosPage<ObjectId> first = await c.ListObjectsAsync(E(3), VosAnchor.Start, 2);
        Assert.Equal(objects[..2], first.Items);
        await c.PunchObjectAsync(objects[2], E(2));
        ObjectId inserted = ObjectId.Create(ObjectType.MultiHashed, ObjectClass.S1, 25);
        await c.UpdateAsync(inserted, E(2), K("d"), A, K("v"));
        VosPage<ObjectId> second = await c.ListObjectsAsync(E(3), VosAnchor.FromBytes(first.Next.ToBytes()), 2);
        Assert.Equal([inserted, objects[3]], second.Items); // 25 lies after the anchor (20); 30 is punched

        // Extents: [0,4) [6,8) [10,12) [14,16); a page of two ends after [6,8); a write at [8,9) lands after the anchor.
        for (int i = 0; i < 4; i++)
        {
            await c.WriteAsync(Hashed, E(1), K("d"), Arr, i == 0 ? 0 : 2 + 4 * i, 4, Bytes(i == 0 ? 16 : 8, i));
        }

        await c.WriteAsync(Hashed, E(1), K("d"), Arr, 2, 4, Bytes(8, 9));
        VosPage<Extent> e1 = await c.ListExtentsAsync(Hashed, E(2), K("d"), Arr, VosAnchor.Start, 2);
        Assert.Equal([new Extent(0, 4), new Extent(6, 2)], e1.Items);
        await c.WriteAsync(Hashed, E(2), K("d"), Arr, 8, 4, Bytes(4, 10));
        await c.WriteAsync(Hashed, E(2), K("d"), Arr, 5, 4, Bytes(4, 11)); // before the anchor: not listed
        VosPage<Extent> e2 = await c.ListExtentsAsync(Hashed, E(2), K("d"), Arr, e1.Next, 2);
        Assert.Equal([new Extent(8, 1), new Extent(10, 2)], e2.Items);
        VosPage<Extent> e3 = await c.ListExtentsAsync(Hashed, E(2), K("d"), Arr, e2.Next, 2);
        Assert.Equal([new Extent(14, 2)], e3.Items);
        Assert.True(e3.IsEnd);
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task Hostile_or_misused_anchors_fail_with_InvalidArgument()
    {
        (_, VosPool pool, VosContainer c) = await NewAsync();
        for (int i = 0; i < 4; i++)
        {
            await c.UpdateAsync(Lexical, E(1), K($"d{i}"), A, K("v"));
        }

        VosPage<byte[]> page = await c.ListDkeysAsync(Lexical, E(1), VosAnchor.Start, 2);
        byte[] good = page.Next.ToBytes();
        Assert.Equal(good, VosAnchor.FromBytes(good).ToBytes());
        Assert.True(VosAnchor.FromBytes(VosAnchor.Start.ToBytes()).IsStart);

        int rejected = 0;
        for (int bit = 0; bit < good.Length * 8; bit++)
        {
            byte[] flipped = (byte[])good.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Equal(DaosError.InvalidArgument, Assert.Throws<DaosException>(() => VosAnchor.FromBytes(flipped)).Error);
            rejected++;
        }

        for (int length = 0; length < good.Length; length++)
        {
            Assert.Equal(DaosError.InvalidArgument, Assert.Throws<DaosException>(() => VosAnchor.FromBytes(good.AsSpan(0, length))).Error);
            rejected++;
        }

        Assert.Equal(DaosError.InvalidArgument, Assert.Throws<DaosException>(() => VosAnchor.FromBytes([.. good, 0])).Error);

        // Well-formed (checksum right) but meaningless: an unknown level, a negative extent index, a key on a start anchor.
        Assert.Equal(DaosError.InvalidArgument, Assert.Throws<DaosException>(() => VosAnchor.FromBytes(Forge(9, 1, [1]))).Error);
        Assert.Equal(DaosError.InvalidArgument, Assert.Throws<DaosException>(() => VosAnchor.FromBytes(Forge(4, 1, BitConverter.GetBytes(-1L)))).Error);
        Assert.Equal(DaosError.InvalidArgument, Assert.Throws<DaosException>(() => VosAnchor.FromBytes(Forge(0, 0, [1]))).Error);
        Assert.True(VosAnchor.FromBytes(Forge(2, 1, [0x64])).ToBytes().AsSpan().SequenceEqual(Forge(2, 1, [0x64])));

        // A dkey anchor cannot resume an akey or object listing; page sizes must be positive; a uint64 listing refuses a short key.
        await ThrowsDaos(DaosError.InvalidArgument, () => c.ListAkeysAsync(Lexical, E(1), K("d0"), page.Next, 2).AsTask());
        await ThrowsDaos(DaosError.InvalidArgument, () => c.ListObjectsAsync(E(1), page.Next, 2).AsTask());
        await ThrowsDaos(DaosError.InvalidArgument, () => c.ListDkeysAsync(Lexical, E(1), VosAnchor.Start, 0).AsTask());
        await ThrowsDaos(DaosError.InvalidArgument, () => c.ListDkeysAsync(UInt64Keys, E(1), VosAnchor.FromBytes(Forge(2, 1, [1, 2])), 2).AsTask());
        Assert.True(rejected > 100);
        await pool.DisposeAsync();
    }

    /// <summary>Anchor bytes with any level, position and key, and a correct checksum (docs/formats/vos.md).</summary>
    private static byte[] Forge(byte level, byte position, byte[] key)
    {
        byte[] b = new byte[8 + key.Length + 4];
        BinaryPrimitives.WriteUInt16LittleEndian(b, 0x4E41);
        b[2] = 1;
        b[3] = level;
        b[4] = position;
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(6), (ushort)key.Length);
        key.CopyTo(b, 8);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8 + key.Length), Crc32C.Compute(b.AsSpan(0, 8 + key.Length)));
        return b;
    }
}
