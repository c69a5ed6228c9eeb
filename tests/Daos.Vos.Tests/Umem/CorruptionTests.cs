using Daos.Harness.Storage;
using Daos.Vos.Umem;
using static Daos.Vos.Tests.Umem.HeapTestKit;

namespace Daos.Vos.Tests.Umem;

/// <summary>Single-bit flips in WAL records and superblocks are detected, never applied as if valid.</summary>
public sealed class CorruptionTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void A_flipped_bit_in_any_wal_record_ends_replay_just_before_that_record()
    {
        SimulatedMedium medium = NewMedium();
        UmemOptions options = Options(walBytes: 256 * 1024, fillRatio: 1.0);
        var hashes = new List<ulong>();
        var recordStarts = new List<long>();
        using (UmemHeap heap = UmemHeap.Create(medium, Name, options))
        {
            hashes.Add(ImageHash(heap));
            for (int i = 0; i < 12; i++)
            {
                recordStarts.Add(4096 + heap.WalUsedBytes);
                using UmemTransaction tx = heap.Begin();
                long block = tx.Allocate(20 + 10 * i);
                tx.Write(block, Bytes(20 + 10 * i, i));
                tx.Set(UmemHeap.RootOffset + i * 16, (byte)(i + 1), 16);
                Commit(tx);
                hashes.Add(ImageHash(heap));
            }

            recordStarts.Add(4096 + heap.WalUsedBytes);
        }

        string wal = UmemHeap.WalFileName(Name);
        int flips = 0;
        for (int record = 0; record < 12; record++)
        {
            for (long at = recordStarts[record]; at < recordStarts[record + 1]; at++)
            {
                for (int bit = 0; bit < 8; bit++)
                {
                    SimulatedMedium copy = medium.Clone();
                    copy.FlipBit(wal, at, bit);
                    string where = $"bit {bit} of WAL byte {at} (record {record})";
                    try
                    {
                        using UmemHeap heap = UmemHeap.Open(copy, Name, options);
                        Assert.True(ImageHash(heap) == hashes[record], $"{where}: recovered past the damaged record");
                        Assert.Equal(record, heap.Recovery.RecordsReplayed);
                    }
                    catch (DaosException e) when (e.Error == DaosError.Corrupted)
                    {
                        // Refusing to open is also a detection.
                    }

                    flips++;
                }
            }
        }

        output.WriteLine($"{flips} single-bit WAL flips checked");
        Assert.True(flips > 5000, $"{flips} flips");
    }

    [Fact]
    public void A_flipped_bit_in_either_superblock_falls_back_to_the_other_and_loses_nothing()
    {
        SimulatedMedium medium = NewMedium();
        UmemOptions options = Options(fillRatio: 1.0);
        ulong expected;
        using (UmemHeap heap = UmemHeap.Create(medium, Name, options))
        {
            for (int i = 0; i < 20; i++)
            {
                using UmemTransaction tx = heap.Begin();
                tx.Write(UmemHeap.RootOffset + i * 8, (long)i * 3);
                Commit(tx);
                if (i == 9)
                {
                    Checkpoint(heap);
                }
            }

            expected = ImageHash(heap);
        }

        string file = UmemHeap.HeapFileName(Name);
        for (int slot = 0; slot < 2; slot++)
        {
            for (int at = 0; at < HeapFormat.SuperblockBytes; at++)
            {
                for (int bit = 0; bit < 8; bit++)
                {
                    SimulatedMedium copy = medium.Clone();
                    copy.FlipBit(file, slot * HeapFormat.SlotBytes + at, bit);
                    using UmemHeap heap = UmemHeap.Open(copy, Name, options);
                    Assert.True(ImageHash(heap) == expected, $"bit {bit} of superblock slot {slot} byte {at}: state differs");
                }
            }
        }
    }

    [Fact]
    public void Flipped_bits_in_both_superblocks_refuse_to_open()
    {
        SimulatedMedium medium = NewMedium();
        Create(medium).Dispose();
        string file = UmemHeap.HeapFileName(Name);
        medium.FlipBit(file, 40, 3);
        medium.FlipBit(file, HeapFormat.SlotBytes + 40, 3);
        var e = Assert.Throws<DaosException>(() => Open(medium));
        Assert.Equal(DaosError.Corrupted, e.Error);
        Assert.Contains("both superblocks", e.Message, StringComparison.Ordinal);
    }
}
