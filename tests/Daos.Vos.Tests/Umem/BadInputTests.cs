using System.Buffers.Binary;
using Daos.Harness.Storage;
using Daos.Storage;
using Daos.Vos.Umem;
using static Daos.Vos.Tests.Umem.HeapTestKit;

namespace Daos.Vos.Tests.Umem;

/// <summary>Opening something that is not a healthy heap throws a typed error naming the problem and writes nothing.</summary>
public sealed class BadInputTests
{
    [Fact]
    public void A_file_of_random_bytes_is_not_a_heap()
    {
        SimulatedMedium medium = NewMedium();
        Put(medium, UmemHeap.HeapFileName(Name), Bytes(100_000, 1));
        Put(medium, UmemHeap.WalFileName(Name), Bytes(100_000, 2));
        AssertRefused(medium, DaosError.DurableFormatInvalid, "not a Daos.NET heap");
    }

    [Fact]
    public void An_empty_file_is_not_a_heap()
    {
        SimulatedMedium medium = NewMedium();
        Put(medium, UmemHeap.HeapFileName(Name), []);
        AssertRefused(medium, DaosError.DurableFormatInvalid, "not a Daos.NET heap");
    }

    [Fact]
    public void A_newer_format_version_is_refused()
    {
        SimulatedMedium medium = Healthy();
        byte[] heap = medium.ReadDurable(UmemHeap.HeapFileName(Name));
        for (int slot = 0; slot < 2; slot++)
        {
            Span<byte> sb = heap.AsSpan(slot * HeapFormat.SlotBytes, HeapFormat.SuperblockBytes);
            BinaryPrimitives.WriteUInt32LittleEndian(sb[8..], HeapFormat.Version + 1);
            BinaryPrimitives.WriteUInt32LittleEndian(sb[124..], Crc32C.Compute(sb[..124]));
        }

        Put(medium, UmemHeap.HeapFileName(Name), heap);
        AssertRefused(medium, DaosError.DurableFormatIncompatible, $"format version {HeapFormat.Version + 1}");
    }

    [Fact]
    public void A_truncated_heap_is_refused()
    {
        SimulatedMedium medium = Healthy();
        byte[] heap = medium.ReadDurable(UmemHeap.HeapFileName(Name));
        Put(medium, UmemHeap.HeapFileName(Name), heap.AsSpan(0, heap.Length / 2).ToArray());
        AssertRefused(medium, DaosError.DurableFormatInvalid, "truncated");
    }

    [Theory]
    [InlineData(0, "no header")]
    [InlineData(10_000, "truncated")]
    public void A_truncated_wal_is_refused(int length, string message)
    {
        SimulatedMedium medium = Healthy();
        byte[] wal = medium.ReadDurable(UmemHeap.WalFileName(Name));
        Put(medium, UmemHeap.WalFileName(Name), wal.AsSpan(0, length).ToArray());
        AssertRefused(medium, DaosError.DurableFormatInvalid, message);
    }

    [Fact]
    public void A_wal_from_another_heap_is_refused()
    {
        SimulatedMedium medium = Healthy();
        SimulatedMedium other = NewMedium();
        UmemHeap.Create(other, Name, Options() with { HeapId = 0xBADBAD }).Dispose();
        Put(medium, UmemHeap.WalFileName(Name), other.ReadDurable(UmemHeap.WalFileName(Name)));
        AssertRefused(medium, DaosError.Mismatch, "belongs to heap");
    }

    [Fact]
    public void A_missing_wal_is_refused()
    {
        SimulatedMedium medium = Healthy();
        medium.DeleteFile(UmemHeap.WalFileName(Name));
        medium.SyncDirectory();
        AssertRefused(medium, DaosError.NonExistent, "is missing");
    }

    [Fact]
    public void Creating_over_an_existing_heap_is_refused()
    {
        SimulatedMedium medium = Healthy();
        var e = Assert.Throws<DaosException>(() => Create(medium));
        Assert.Equal(DaosError.Exists, e.Error);
    }

    private static SimulatedMedium Healthy()
    {
        SimulatedMedium medium = NewMedium();
        using UmemHeap heap = Create(medium);
        using UmemTransaction tx = heap.Begin();
        tx.Write(UmemHeap.RootOffset, 7L);
        Commit(tx);
        return medium;
    }

    private static void Put(SimulatedMedium medium, string name, byte[] content)
    {
        using IMediumFile file = medium.OpenFile(name, MediumOpenMode.OpenOrCreate);
        file.SetLength(0);
        file.Write(0, content);
        file.Flush();
        medium.SyncDirectory();
    }

    private static void AssertRefused(SimulatedMedium medium, DaosError error, string message)
    {
        var before = new Dictionary<string, byte[]>();
        foreach (string name in medium.ListFiles())
        {
            before[name] = medium.ReadDurable(name);
        }

        var e = Assert.Throws<DaosException>(() => Open(medium));
        Assert.Equal(error, e.Error);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Equal(before.Keys.Order(), medium.ListFiles());
        foreach ((string name, byte[] bytes) in before)
        {
            Assert.False(medium.HasPendingWrites(name), $"{name} was written");
            Assert.Equal(bytes, medium.ReadDurable(name));
        }
    }
}
