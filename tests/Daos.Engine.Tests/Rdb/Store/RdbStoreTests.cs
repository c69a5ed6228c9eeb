using System.Buffers.Binary;
using System.Text;
using Daos.Engine.Rdb;
using Daos.Engine.Rdb.Raft;

namespace Daos.Engine.Tests.Rdb.Store;

/// <summary>The RDB state machine, its transaction and snapshot encodings, and the Raft message wire codec.</summary>
public sealed class RdbStoreTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static byte[] I(ulong v)
    {
        var key = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(key, v);
        return key;
    }

    [Fact]
    public void Nested_stores_apply_transactions_atomically_and_iterate_in_order()
    {
        var store = new RdbStore();
        RdbPath pools = RdbPath.Root.Append("pools");
        RdbPath ints = RdbPath.Root.Append("ints");
        Assert.Equal(DaosError.None, store.Apply(1, new RdbTransaction()
            .CreateKvs(RdbPath.Root, B("pools"), RdbKvsClass.Lexical)
            .CreateKvs(RdbPath.Root, B("ints"), RdbKvsClass.Integer)
            .Update(pools, B("b"), B("2")).Update(pools, B("a"), B("1")).Update(pools, B("c"), B("3"))
            .Update(ints, I(300), B("x")).Update(ints, I(2), B("y")).Update(ints, I(1UL << 40), B("z"))
            .Encode()));
        Assert.Equal("a b c", string.Join(" ", store.Iterate(pools).Select(e => Encoding.UTF8.GetString(e.Key.Span))));
        Assert.Equal("2 300 1099511627776", string.Join(" ", store.Iterate(ints).Select(e => BinaryPrimitives.ReadUInt64LittleEndian(e.Key.Span))));
        Assert.Equal("b c", string.Join(" ", store.Iterate(pools, B("b")).Select(e => Encoding.UTF8.GetString(e.Key.Span))));

        // The third operation fails (no such store), so the first two must not take effect.
        ulong digest = store.Digest();
        Assert.Equal(DaosError.NonExistent, store.Apply(2, new RdbTransaction()
            .Delete(pools, B("a")).Update(pools, B("d"), B("4")).Update(RdbPath.Root.Append("missing"), B("k"), B("v")).Encode()));
        Assert.Equal(digest, store.Digest());
        Assert.Equal(DaosError.None, store.Lookup(pools, B("a"), out ReadOnlyMemory<byte> value));
        Assert.Equal("1", Encoding.UTF8.GetString(value.Span));
        Assert.Equal(2UL, store.AppliedIndex);

        Assert.Equal(DaosError.InvalidArgument, store.Apply(3, new RdbTransaction().Update(ints, B("short"), B("v")).Encode()));
        Assert.Equal(DaosError.Exists, store.Apply(4, new RdbTransaction().CreateKvs(RdbPath.Root, B("pools"), RdbKvsClass.Generic).Encode()));
        Assert.Equal(DaosError.None, store.Apply(5, new RdbTransaction().DestroyKvs(RdbPath.Root, B("pools")).Encode()));
        Assert.False(store.KvsExists(pools, out _));
        Assert.Equal(DaosError.NonExistent, store.Lookup(pools, B("a"), out _));
    }

    [Fact]
    public void Snapshot_restores_an_identical_store_and_rejects_damage()
    {
        var store = new RdbStore();
        RdbPath child = RdbPath.Root.Append("c");
        store.Apply(7, new RdbTransaction().CreateKvs(RdbPath.Root, B("c"), RdbKvsClass.Lexical)
            .Update(child, B("k1"), B("v1")).Update(RdbPath.Root, B("top"), B("t")).Encode());
        byte[] image = store.CreateSnapshot();
        var copy = new RdbStore();
        copy.Restore(image);
        Assert.Equal(store.Digest(), copy.Digest());
        Assert.Equal(7UL, copy.AppliedIndex);

        int rejected = 0;
        for (int bit = 0; bit < image.Length * 8; bit++)
        {
            byte[] damaged = (byte[])image.Clone();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));
            var target = new RdbStore();
            DaosException e = Assert.Throws<DaosException>(() => target.Restore(damaged));
            Assert.True(e.Error is DaosError.Corrupted or DaosError.DurableFormatIncompatible, $"bit {bit}: {e.Error}");
            Assert.Equal(0UL, target.AppliedIndex);
            rejected++;
        }

        for (int length = 0; length < image.Length; length++)
        {
            Assert.Throws<DaosException>(() => new RdbStore().Restore(image.AsSpan(0, length)));
        }

        Assert.Equal(image.Length * 8, rejected);
    }

    [Fact]
    public void Transaction_decoder_rejects_every_bit_flip_and_truncation()
    {
        byte[] encoded = new RdbTransaction().CreateKvs(RdbPath.Root, B("x"), RdbKvsClass.Integer)
            .Update(RdbPath.Root.Append("x"), I(5), B("five")).Delete(RdbPath.Root, B("gone")).Encode();
        RdbTransaction decoded = RdbTransaction.Decode(encoded);
        Assert.Equal(3, decoded.Count);
        Assert.Equal(encoded, decoded.Encode());
        for (int bit = 0; bit < encoded.Length * 8; bit++)
        {
            byte[] damaged = (byte[])encoded.Clone();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Throws<DaosException>(() => RdbTransaction.Decode(damaged));
        }

        for (int length = 0; length < encoded.Length; length++)
        {
            Assert.Throws<DaosException>(() => RdbTransaction.Decode(encoded.AsSpan(0, length)));
        }
    }

    [Fact]
    public void Raft_messages_round_trip_and_damage_is_a_protocol_error()
    {
        var chunk = new SnapshotChunk(9, 3, new RaftConfiguration([1, 2, 3], [4]), 100, 0xABCDEF, 40, new byte[] { 1, 2, 3 });
        RaftMessage[] messages =
        [
            new() { Type = RaftMessageType.Append, From = 1, To = 2, Term = 3, Index = 4, LogTerm = 2, Commit = 4, LeaseTick = 17,
                Entries = [new LogEntry(5, 3, LogEntryKind.Normal, new byte[] { 9, 9 }), new LogEntry(6, 3, LogEntryKind.ConfigChange, ConfigChange.AddVoter(4).Encode())] },
            new() { Type = RaftMessageType.VoteResponse, From = 2, To = 1, Term = 3, Reject = true },
            new() { Type = RaftMessageType.Vote, From = 2, To = 1, Term = 3, Index = 8, LogTerm = 2, Transfer = true },
            new() { Type = RaftMessageType.Snapshot, From = 1, To = 3, Term = 3, Chunk = chunk },
            new() { Type = RaftMessageType.ReadIndexResponse, From = 1, To = 3, Term = 3, Index = 12, Context = 99, RejectHint = 4 },
        ];
        foreach (RaftMessage message in messages)
        {
            byte[] encoded = RaftMessageCodec.Encode(message, 42);
            RaftMessage decoded = RaftMessageCodec.Decode(encoded, 42, 1 << 20);
            Assert.Equal(message.ToString(), decoded.ToString());
            Assert.Equal(encoded, RaftMessageCodec.Encode(decoded, 42));
            Assert.Equal(DaosError.Protocol, Assert.Throws<DaosException>(() => RaftMessageCodec.Decode(encoded, 43, 1 << 20)).Error);
            for (int bit = 0; bit < encoded.Length * 8; bit++)
            {
                byte[] damaged = (byte[])encoded.Clone();
                damaged[bit / 8] ^= (byte)(1 << (bit % 8));
                Assert.Equal(DaosError.Protocol, Assert.Throws<DaosException>(() => RaftMessageCodec.Decode(damaged, 42, 1 << 20)).Error);
            }

            for (int length = 0; length < encoded.Length; length++)
            {
                Assert.Throws<DaosException>(() => RaftMessageCodec.Decode(encoded.AsSpan(0, length), 42, 1 << 20));
            }
        }
    }
}
