using Daos.Harness.Storage;
using Daos.Vos.Bio;
using Daos.Vos.Umem;
using static Daos.Vos.Tests.Umem.HeapTestKit;

namespace Daos.Vos.Tests.Bio;

/// <summary>
/// Crash-state enumeration over the blob write path: reserve, write (staged for logging in the WAL record, or
/// written and made durable in the blob file before the publish, or left for the publish to make durable), publish
/// with the pointing metadata in one transaction; frees; checkpoints; and reservations written but never published.
/// Freed blocks are reused by either kind of write, so logged data older than a direct write to the same blocks
/// sits in the WAL. At every cut around every durability point, with several crash seeds: the heap recovers to an
/// acknowledged prefix, the blob store opens (its index is consistent with its free count), every extent the
/// metadata points at holds its data, and the free count is exactly the blocks nothing points at (unpublished
/// writes leaked nothing).
/// </summary>
public sealed class BlobCrashEnumerationTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const long Blocks = 64;
    private const int Slots = 16;

    [Fact]
    public void Every_crash_state_of_the_blob_write_path_is_consistent()
    {
        long states = 0, reusedOverLogged = 0;
        for (ulong seed = 1; seed <= 6; seed++)
        {
            (SimulatedMedium medium, List<ulong> hashes, List<int> ackedAt, long reused) = Record(seed);
            reusedOverLogged += reused;
            IReadOnlyList<MediumEvent> events = medium.Recorded;
            var points = new SortedSet<int> { events.Count };
            for (int i = 0; i < events.Count; i++)
            {
                if (events[i].IsDurabilityPoint)
                {
                    points.Add(i);
                    points.Add(i + 1);
                }
            }

            foreach (int point in points)
            {
                for (ulong s = 0; s < 6; s++)
                {
                    ulong crashSeed = (seed << 40) ^ ((ulong)point << 8) ^ s;
                    Check(medium.CrashAfter(point, crashSeed), hashes, ackedAt, point,
                        $"workload seed {seed}, crash after operation {point}, crash seed {crashSeed}");
                    states++;
                }
            }
        }

        output.WriteLine($"{states} blob crash states checked; {reusedOverLogged} direct writes reused blocks with logged data in the WAL");
        Assert.True(states > 1000, $"{states} states");
        Assert.True(reusedOverLogged >= 3, $"the workloads reused blocks holding logged WAL data only {reusedOverLogged} times");
    }

    private static (SimulatedMedium, List<ulong>, List<int>, long) Record(ulong seed)
    {
        var loggedSinceCheckpoint = new HashSet<long>();
        long reusedOverLogged = 0;
        var random = new DeterministicRandom(seed);
        SimulatedMedium medium = NewMedium();
        using UmemHeap heap = Create(medium);
        using BlobStore blobs = BlobStore.CreateAsync(medium, Name, heap, Blocks).AsTask().GetAwaiter().GetResult();
        medium.StartRecording();
        var hashes = new List<ulong> { ImageHash(heap) };
        var ackedAt = new List<int> { 0 };
        for (int step = 0; step < 32; step++)
        {
            if (random.Chance(0.08))
            {
                Completed(heap.CheckpointAsync());
                loggedSinceCheckpoint.Clear();
                continue;
            }

            int slot = random.Next(Slots);
            long slotAt = UmemHeap.RootOffset + slot * 24;
            long count = heap.Read<long>(slotAt + 8);
            if (count != 0)
            {
                using UmemTransaction free = heap.Begin();
                blobs.Free(free, heap.Read<long>(slotAt), count);
                free.Set(slotAt, 0, 24);
                Commit(free);
            }
            else
            {
                if (!blobs.TryReserve(random.Next(1, 5), out BlobReservation? reservation))
                {
                    continue;
                }

                int pattern = random.Next(1, 250);
                bool logged = random.Next(3) == 0;
                Write(blobs, reservation!, pattern, logged ? WriteMode.Logged : random.Chance(0.5) ? WriteMode.Flushed : WriteMode.FlushedAtPublish);
                if (random.Chance(0.2))
                {
                    blobs.Cancel(reservation!); // written and durable but never published: must leak nothing
                    continue;
                }

                using UmemTransaction tx = heap.Begin();
                blobs.Publish(tx, reservation!);
                tx.Write(slotAt, reservation!.StartBlock);
                tx.Write(slotAt + 8, reservation.BlockCount);
                tx.Write(slotAt + 16, (long)pattern);
                Commit(tx);
                for (long b = reservation.StartBlock; b < reservation.StartBlock + reservation.BlockCount; b++)
                {
                    if (logged)
                    {
                        loggedSinceCheckpoint.Add(b);
                    }
                    else if (loggedSinceCheckpoint.Remove(b))
                    {
                        reusedOverLogged++;
                    }
                }
            }

            hashes.Add(ImageHash(heap));
            ackedAt.Add(medium.Recorded.Count);
        }

        return (medium, hashes, ackedAt, reusedOverLogged);
    }

    private enum WriteMode
    {
        Logged,
        Flushed,
        FlushedAtPublish,
    }

    private static void Write(BlobStore blobs, BlobReservation reservation, int pattern, WriteMode mode)
    {
        byte[] data = new byte[reservation.BlockCount * 4096];
        Array.Fill(data, (byte)pattern);
        switch (mode)
        {
            case WriteMode.Logged:
                Completed(blobs.StageAsync(reservation, data));
                break;
            case WriteMode.Flushed:
                Completed(blobs.WriteAsync(reservation, 0, data));
                Completed(blobs.FlushAsync());
                break;
            default:
                Completed(blobs.WriteAsync(reservation, 0, data));
                break;
        }
    }

    /// <summary>The simulated medium completes I/O synchronously.</summary>
    private static void Completed(ValueTask operation)
    {
        Assert.True(operation.IsCompletedSuccessfully);
        operation.GetAwaiter().GetResult();
    }

    private static void Check(SimulatedMedium crashed, List<ulong> hashes, List<int> ackedAt, int point, string where)
    {
        using UmemHeap heap = Open(crashed);
        int acked = 0;
        for (int i = 1; i < ackedAt.Count; i++)
        {
            if (ackedAt[i] <= point)
            {
                acked = i;
            }
        }

        // A later commit may restore an earlier image exactly (publish then free), so look from the acknowledged one on.
        ulong recovered = ImageHash(heap);
        Assert.True(hashes.IndexOf(recovered, acked) >= 0,
            $"{where}: the heap is not at commit {acked} or later (at index {hashes.IndexOf(recovered)})");
        using BlobStore blobs = BlobStore.Open(crashed, Name, heap);
        long pointedAt = 0;
        byte[] block = new byte[4096];
        for (int slot = 0; slot < Slots; slot++)
        {
            long slotAt = UmemHeap.RootOffset + slot * 24;
            long count = heap.Read<long>(slotAt + 8);
            if (count == 0)
            {
                continue;
            }

            long start = heap.Read<long>(slotAt);
            byte pattern = (byte)heap.Read<long>(slotAt + 16);
            pointedAt += count;
            for (long b = start; b < start + count; b++)
            {
                Completed(blobs.ReadAsync(b, block));
                Assert.True(block.AsSpan().IndexOfAnyExcept(pattern) < 0, $"{where}: block {b} lost its published data");
            }
        }

        Assert.True(blobs.Space == new BlobSpace(Blocks, Blocks - pointedAt, 0),
            $"{where}: space {blobs.Space} but the metadata points at {pointedAt} blocks");
    }
}
