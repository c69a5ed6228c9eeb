using System.Buffers.Binary;
using Daos.Harness.Storage;
using Daos.Storage;
using Daos.Vos.Bio;
using Daos.Vos.Umem;
using static Daos.Vos.Tests.Umem.HeapTestKit;

namespace Daos.Vos.Tests.Bio;

/// <summary>
/// Blob data logged in WAL records: what replay writes back, what a free cuts out, and hostile entries (well-formed
/// records with a valid checksum whose blob entries make no sense) refused with a typed error before anything is written.
/// </summary>
public sealed class BlobWalEntryTests
{
    private const long Blocks = 64;

    [Fact]
    public void Logged_data_is_written_back_at_open_and_takes_one_wal_barrier()
    {
        SimulatedMedium medium = NewMedium();
        byte[] data = Bytes(6000, 3); // two blocks, the second padded with zeros
        long start;
        using (UmemHeap heap = Create(medium))
        using (BlobStore blobs = NewBlobStore(medium, heap))
        {
            long barriers = heap.WalBarrierCount;
            Assert.True(blobs.TryReserve(2, out BlobReservation? reservation));
            start = reservation!.StartBlock;
            Run(blobs.StageAsync(reservation, data));
            using UmemTransaction tx = heap.Begin();
            blobs.Publish(tx, reservation);
            tx.Write(UmemHeap.RootOffset, start);
            Commit(tx);
            Assert.Equal(0, blobs.BarrierCount);
            Assert.Equal(barriers + 1, heap.WalBarrierCount);
        }

        // Lose every byte of the blob file's data region: the WAL record alone brings the value back.
        byte[] blob = medium.ReadDurable(BlobStore.BlobFileName(Name));
        Array.Clear(blob, 4096, blob.Length - 4096);
        Put(medium, BlobStore.BlobFileName(Name), blob);

        using (UmemHeap heap = Open(medium))
        using (BlobStore blobs = BlobStore.Open(medium, Name, heap))
        {
            byte[] read = new byte[8192];
            Run(blobs.ReadAsync(start, read));
            Assert.Equal(data, read[..data.Length]);
            Assert.True(read.AsSpan(data.Length).IndexOfAnyExcept((byte)0) < 0, "the padding of the last block is not zero");
            Assert.Equal(1, blobs.BarrierCount);
            Checkpoint(heap); // the heap may checkpoint once the blob store has taken the replayed data
        }
    }

    [Fact]
    public void A_free_cuts_its_blocks_out_of_earlier_logged_writes()
    {
        var log = new BlobReplayLog();
        log.Write(10, 5 * 4096, walOffset: 100_000);
        log.Write(30, 100, walOffset: 200_000);
        log.Free(12, 2); // the middle of the first write
        log.Free(30, 1); // all of the second
        Assert.Equal([new BlobReplayWrite(10, 2 * 4096, 100_000), new BlobReplayWrite(14, 4096, 100_000 + 4 * 4096)], log.Writes);
        Assert.Equal(3 * 4096, log.Bytes);
        log.Write(12, 4096, walOffset: 300_000); // a later write to a freed block stays
        log.Free(0, 11);
        Assert.Equal(
            [new BlobReplayWrite(11, 4096, 100_000 + 4096), new BlobReplayWrite(14, 4096, 100_000 + 4 * 4096), new BlobReplayWrite(12, 4096, 300_000)],
            log.Writes);
    }

    [Fact]
    public void A_heap_with_replayed_blob_data_does_not_checkpoint_before_the_blob_store_takes_it()
    {
        SimulatedMedium medium = NewMedium();
        using (UmemHeap heap = Create(medium))
        using (BlobStore blobs = NewBlobStore(medium, heap))
        {
            Assert.True(blobs.TryReserve(1, out BlobReservation? reservation));
            Run(blobs.StageAsync(reservation!, Bytes(100, 1)));
            using UmemTransaction tx = heap.Begin();
            blobs.Publish(tx, reservation!);
            Commit(tx);
        }

        using UmemHeap reopened = Open(medium);
        Assert.Throws<InvalidOperationException>(() => Checkpoint(reopened));
    }

    [Fact]
    public void A_logged_write_outside_the_blob_is_corruption_and_writes_nothing()
    {
        SimulatedMedium medium = NewMedium();
        using (UmemHeap heap = Create(medium))
        using (NewBlobStore(medium, heap))
        {
            using UmemTransaction tx = heap.Begin();
            Assert.True(tx.TryLogBlobWrite(Blocks - 1, Bytes(8192, 2))); // runs one block past the end
            Commit(tx);
        }

        Dictionary<string, byte[]> before = Snapshot(medium);
        using UmemHeap reopened = Open(medium);
        var e = Assert.Throws<DaosException>(() => BlobStore.Open(medium, Name, reopened));
        Assert.Equal(DaosError.Corrupted, e.Error);
        Assert.Contains("outside blob", e.Message, StringComparison.Ordinal);
        Assert.Equal(before[BlobStore.BlobFileName(Name)], medium.ReadDurable(BlobStore.BlobFileName(Name)));
        Assert.False(medium.HasPendingWrites(BlobStore.BlobFileName(Name)));
    }

    [Theory]
    [InlineData(WalFormat.OpBlobFree, "count", "frees 0 blob blocks")]
    [InlineData(WalFormat.OpBlobFree, "length", "does not fit")]
    [InlineData(WalFormat.OpBlobFree, "block", "does not fit")]
    [InlineData(WalFormat.OpBlobWrite, "block", "does not fit")]
    [InlineData(9, "op", "does not fit")]
    public void A_hostile_blob_entry_with_a_valid_checksum_is_corruption_and_changes_nothing(byte op, string field, string message)
    {
        SimulatedMedium medium = NewMedium();
        using (UmemHeap heap = Create(medium))
        {
            using UmemTransaction tx = heap.Begin();
            if (op == WalFormat.OpBlobWrite)
            {
                Assert.True(tx.TryLogBlobWrite(3, Bytes(64, 4)));
            }
            else
            {
                tx.LogBlobFree(3, 2);
            }

            Commit(tx);
        }

        string walName = UmemHeap.WalFileName(Name);
        byte[] wal = medium.ReadDurable(walName);
        RewriteLastRecord(wal, entry =>
        {
            switch (field)
            {
                case "count":
                    BinaryPrimitives.WriteUInt64LittleEndian(entry[WalFormat.EntryHeaderBytes..], 0);
                    break;
                case "length":
                    BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], 16); // a free carries exactly 8 bytes
                    break;
                case "block":
                    BinaryPrimitives.WriteUInt64LittleEndian(entry[8..], WalFormat.BlobBlockLimit);
                    break;
                default:
                    entry[0] = op;
                    break;
            }
        });
        Put(medium, walName, wal);
        Dictionary<string, byte[]> before = Snapshot(medium);
        var e = Assert.Throws<DaosException>(() => Open(medium));
        Assert.Equal(DaosError.Corrupted, e.Error);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        foreach ((string name, byte[] bytes) in before)
        {
            Assert.Equal(bytes, medium.ReadDurable(name));
        }
    }

    [Fact]
    public void A_version_1_wal_opens_and_is_marked_version_2_before_anything_is_logged()
    {
        SimulatedMedium medium = NewMedium();
        Create(medium).Dispose();
        string walName = UmemHeap.WalFileName(Name);
        byte[] wal = medium.ReadDurable(walName);
        BinaryPrimitives.WriteUInt32LittleEndian(wal.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(wal.AsSpan(60), Crc32C.Compute(wal.AsSpan(0, 60)));
        Put(medium, walName, wal);
        Open(medium).Dispose();
        Assert.Equal(WalFormat.Version, BinaryPrimitives.ReadUInt32LittleEndian(medium.ReadDurable(walName).AsSpan(8)));

        wal = medium.ReadDurable(walName);
        BinaryPrimitives.WriteUInt32LittleEndian(wal.AsSpan(8), WalFormat.Version + 1);
        BinaryPrimitives.WriteUInt32LittleEndian(wal.AsSpan(60), Crc32C.Compute(wal.AsSpan(0, 60)));
        Put(medium, walName, wal);
        var e = Assert.Throws<DaosException>(() => Open(medium));
        Assert.Equal(DaosError.DurableFormatIncompatible, e.Error);
    }

    /// <summary>Edits the first entry of the last record in the WAL's live region and reseals its checksum.</summary>
    private static void RewriteLastRecord(byte[] wal, Action<Span<byte>> editFirstEntry)
    {
        long pos = WalFormat.RecordsOffset, last = -1;
        ulong expected = 1;
        while (pos + WalFormat.RecordHeaderBytes <= wal.Length
            && BinaryPrimitives.ReadUInt64LittleEndian(wal.AsSpan((int)pos)) == expected)
        {
            last = pos;
            pos += BinaryPrimitives.ReadInt32LittleEndian(wal.AsSpan((int)pos + WalFormat.LengthAt));
            expected++;
        }

        Assert.True(last >= 0, "no record found");
        Span<byte> record = wal.AsSpan((int)last, BinaryPrimitives.ReadInt32LittleEndian(wal.AsSpan((int)last + WalFormat.LengthAt)));
        editFirstEntry(record[WalFormat.RecordHeaderBytes..]);
        BinaryPrimitives.WriteUInt32LittleEndian(record[WalFormat.CrcAt..], 0);
        uint crc = Crc32C.Compute(record[..WalFormat.RecordHeaderBytes], WalFormat.CrcSeed(Options().HeapId));
        crc = Crc32C.Compute(record[WalFormat.RecordHeaderBytes..], crc);
        BinaryPrimitives.WriteUInt32LittleEndian(record[WalFormat.CrcAt..], crc);
    }

    private static BlobStore NewBlobStore(SimulatedMedium medium, UmemHeap heap)
    {
        Task<BlobStore> create = BlobStore.CreateAsync(medium, Name, heap, Blocks).AsTask();
        Assert.True(create.IsCompletedSuccessfully, "the simulated medium completes synchronously");
        return create.Result;
    }

    private static Dictionary<string, byte[]> Snapshot(SimulatedMedium medium)
    {
        var files = new Dictionary<string, byte[]>();
        foreach (string name in medium.ListFiles())
        {
            files[name] = medium.ReadDurable(name);
        }

        return files;
    }

    private static void Put(SimulatedMedium medium, string name, byte[] content)
    {
        using IMediumFile file = medium.OpenFile(name, MediumOpenMode.OpenOrCreate);
        file.SetLength(0);
        file.Write(0, content);
        file.Flush();
    }

    /// <summary>The simulated medium completes I/O synchronously.</summary>
    private static void Run(ValueTask operation)
    {
        Assert.True(operation.IsCompletedSuccessfully);
        operation.GetAwaiter().GetResult();
    }
}
