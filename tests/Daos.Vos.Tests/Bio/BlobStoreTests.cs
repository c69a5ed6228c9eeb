using Daos.Harness.Storage;
using Daos.Storage;
using Daos.Vos.Bio;
using Daos.Vos.Umem;
using static Daos.Vos.Tests.Umem.HeapTestKit;

namespace Daos.Vos.Tests.Bio;

public sealed class BlobStoreTests
{
    private const long Blocks = 512;

    [Fact]
    public async Task Reserve_write_flush_publish_survives_a_crash_with_its_metadata()
    {
        SimulatedMedium medium = NewMedium();
        byte[] payload = Bytes(3 * 4096 + 100, 1);
        BlobReservation reservation;
        using (UmemHeap heap = Create(medium))
        using (BlobStore blobs = await BlobStore.CreateAsync(medium, Name, heap, Blocks))
        {
            Assert.True(blobs.TryReserve(4, out BlobReservation? r));
            reservation = r!;
            await blobs.WriteAsync(reservation, 0, payload);
            await blobs.FlushAsync();
            using UmemTransaction tx = heap.Begin();
            blobs.Publish(tx, reservation);
            tx.Write(UmemHeap.RootOffset, reservation.StartBlock);
            tx.Write(UmemHeap.RootOffset + 8, (long)payload.Length);
            await tx.CommitAsync();
            Assert.Equal(BlobReservationState.Published, reservation.State);
            Assert.Equal(new BlobSpace(Blocks, Blocks - 4, 0), blobs.Space);
        }

        medium.Crash(3);
        using (UmemHeap heap = Open(medium))
        using (BlobStore blobs = BlobStore.Open(medium, Name, heap))
        {
            Assert.Equal(Blocks - 4, blobs.Space.FreeBlocks);
            long start = heap.Read<long>(UmemHeap.RootOffset);
            byte[] read = new byte[4 * 4096];
            await blobs.ReadAsync(start, read);
            Assert.Equal(payload, read.AsSpan(0, payload.Length).ToArray());
            Assert.True(read.AsSpan(payload.Length).IndexOfAnyExcept((byte)0) < 0, "the padding of a partial block is zero");
        }
    }

    [Fact]
    public async Task A_crash_before_publish_leaks_nothing_and_exposes_nothing()
    {
        SimulatedMedium medium = NewMedium();
        using (UmemHeap heap = Create(medium))
        using (BlobStore blobs = await BlobStore.CreateAsync(medium, Name, heap, Blocks))
        {
            Assert.True(blobs.TryReserve(10, out BlobReservation? r));
            await blobs.WriteAsync(r!, 0, Bytes(10 * 4096, 2));
            await blobs.FlushAsync();
        }

        medium.Crash(4);
        using (UmemHeap heap = Open(medium))
        using (BlobStore blobs = BlobStore.Open(medium, Name, heap))
        {
            Assert.Equal(new BlobSpace(Blocks, Blocks, 0), blobs.Space);
            Assert.Equal(0, heap.Read<long>(UmemHeap.RootOffset));
            Assert.True(blobs.TryReserve(Blocks, out _), "every block is reservable again");
        }
    }

    [Fact]
    public async Task Cancel_returns_blocks_and_an_aborted_publish_can_be_canceled()
    {
        SimulatedMedium medium = NewMedium();
        using UmemHeap heap = Create(medium);
        using BlobStore blobs = await BlobStore.CreateAsync(medium, Name, heap, Blocks);
        Assert.True(blobs.TryReserve(Blocks, out BlobReservation? all));
        Assert.False(blobs.TryReserve(1, out _));
        blobs.Cancel(all!);
        Assert.True(blobs.TryReserve(100, out BlobReservation? r));
        UmemTransaction tx = heap.Begin();
        blobs.Publish(tx, r!);
        tx.Abort();
        Assert.Equal(BlobReservationState.Reserved, r!.State);
        Assert.Equal(Blocks, blobs.Space.FreeBlocks);
        blobs.Cancel(r);
        Assert.Equal(new BlobSpace(Blocks, Blocks, 0), blobs.Space);
        Assert.True(blobs.TryReserve(Blocks, out _));
    }

    [Fact]
    public async Task Freed_blocks_are_reservable_only_after_the_free_commits()
    {
        SimulatedMedium medium = NewMedium();
        using UmemHeap heap = Create(medium);
        using BlobStore blobs = await BlobStore.CreateAsync(medium, Name, heap, Blocks);
        Assert.True(blobs.TryReserve(Blocks, out BlobReservation? all));
        using (UmemTransaction tx = heap.Begin())
        {
            blobs.Publish(tx, all!);
            await tx.CommitAsync();
        }

        using (UmemTransaction tx = heap.Begin())
        {
            blobs.Free(tx, 10, 5);
            Assert.False(blobs.TryReserve(1, out _));
            var e = Assert.Throws<DaosException>(() => blobs.Free(tx, 12, 1));
            Assert.Equal(DaosError.InvalidArgument, e.Error);
            await tx.CommitAsync();
        }

        Assert.True(blobs.TryReserve(5, out BlobReservation? again));
        Assert.Equal(10, again!.StartBlock);
    }

    [Fact]
    public async Task Random_reserve_publish_cancel_free_match_a_model_across_crashes()
    {
        for (ulong seed = 1; seed <= 20; seed++)
        {
            var random = new DeterministicRandom(seed);
            SimulatedMedium medium = NewMedium();
            UmemHeap heap = Create(medium, Options(heapBytes: 512 * 1024, walBytes: 256 * 1024));
            BlobStore blobs = await BlobStore.CreateAsync(medium, Name, heap, Blocks);
            bool[] owned = new bool[Blocks]; // published and not freed: the model
            var published = new List<(long Start, long Count)>();
            var reserved = new List<BlobReservation>();
            for (int step = 0; step < 300; step++)
            {
                int kind = random.Next(10);
                if (kind < 4)
                {
                    if (blobs.TryReserve(random.Next(1, 9), out BlobReservation? r))
                    {
                        for (long b = r!.StartBlock; b < r.StartBlock + r.BlockCount; b++)
                        {
                            Assert.False(owned[b], $"seed {seed}: block {b} reserved while published");
                            foreach (BlobReservation other in reserved)
                            {
                                Assert.False(b >= other.StartBlock && b < other.StartBlock + other.BlockCount,
                                    $"seed {seed}: block {b} reserved twice");
                            }
                        }

                        reserved.Add(r);
                    }
                }
                else if (kind < 6 && reserved.Count > 0)
                {
                    BlobReservation r = reserved[random.Next(reserved.Count)];
                    reserved.Remove(r);
                    if (random.Chance(0.3))
                    {
                        blobs.Cancel(r);
                        continue;
                    }

                    using UmemTransaction tx = heap.Begin();
                    blobs.Publish(tx, r);
                    await tx.CommitAsync();
                    published.Add((r.StartBlock, r.BlockCount));
                    Array.Fill(owned, true, (int)r.StartBlock, (int)r.BlockCount);
                }
                else if (kind < 9 && published.Count > 0)
                {
                    (long start, long count) = published[random.Next(published.Count)];
                    published.Remove((start, count));
                    using UmemTransaction tx = heap.Begin();
                    blobs.Free(tx, start, count);
                    await tx.CommitAsync();
                    Array.Fill(owned, false, (int)start, (int)count);
                }
                else if (kind == 9)
                {
                    blobs.Dispose();
                    heap.Dispose();
                    medium.Crash(seed * 1000 + (ulong)step);
                    reserved.Clear(); // reservations live in memory only
                    heap = Open(medium, Options(heapBytes: 512 * 1024, walBytes: 256 * 1024));
                    blobs = BlobStore.Open(medium, Name, heap);
                }

                long ownedCount = owned.Count(o => o);
                long reservedCount = reserved.Sum(r => r.BlockCount);
                Assert.True(blobs.Space == new BlobSpace(Blocks, Blocks - ownedCount, reservedCount),
                    $"seed {seed} step {step}: space {blobs.Space}, model owns {ownedCount} and reserves {reservedCount}");
            }

            blobs.Dispose();
            heap.Dispose();
        }
    }

    [Fact]
    public async Task The_free_extent_index_grows_past_its_first_array()
    {
        SimulatedMedium medium = NewMedium();
        UmemOptions options = Options(heapBytes: 512 * 1024, walBytes: 256 * 1024);
        using (UmemHeap heap = Create(medium, options))
        using (BlobStore blobs = await BlobStore.CreateAsync(medium, Name, heap, Blocks))
        {
            Assert.True(blobs.TryReserve(Blocks, out BlobReservation? all));
            using (UmemTransaction tx = heap.Begin())
            {
                blobs.Publish(tx, all!);
                await tx.CommitAsync();
            }

            for (long b = 0; b < Blocks; b += 2)
            {
                using UmemTransaction tx = heap.Begin();
                blobs.Free(tx, b, 1);
                await tx.CommitAsync();
            }

            Assert.Equal(Blocks / 2, blobs.Space.FreeBlocks);
        }

        medium.Crash(9);
        using (UmemHeap heap = Open(medium, options))
        using (BlobStore blobs = BlobStore.Open(medium, Name, heap))
        {
            Assert.Equal(Blocks / 2, blobs.Space.FreeBlocks);
            Assert.False(blobs.TryReserve(2, out _), "no two free blocks are adjacent");
            for (int i = 0; i < Blocks / 2; i++)
            {
                Assert.True(blobs.TryReserve(1, out BlobReservation? r));
                Assert.Equal(0, r!.StartBlock % 2);
            }
        }
    }

    [Fact]
    public async Task A_blob_file_from_another_heap_or_truncated_is_refused()
    {
        SimulatedMedium medium = NewMedium();
        using (UmemHeap heap = Create(medium))
        {
            (await BlobStore.CreateAsync(medium, Name, heap, Blocks)).Dispose();
        }

        SimulatedMedium other = NewMedium();
        using (UmemHeap heap = UmemHeap.Create(other, Name, Options() with { HeapId = 77 }))
        {
            (await BlobStore.CreateAsync(other, Name, heap, Blocks)).Dispose();
        }

        SimulatedMedium foreign = medium.Clone();
        Put(foreign, BlobStore.BlobFileName(Name), other.ReadDurable(BlobStore.BlobFileName(Name)));
        using (UmemHeap heap = Open(foreign))
        {
            var e = Assert.Throws<DaosException>(() => BlobStore.Open(foreign, Name, heap));
            Assert.Equal(DaosError.Mismatch, e.Error);
        }

        SimulatedMedium truncated = medium.Clone();
        Put(truncated, BlobStore.BlobFileName(Name), medium.ReadDurable(BlobStore.BlobFileName(Name)).AsSpan(0, 8192).ToArray());
        using (UmemHeap heap = Open(truncated))
        {
            var e = Assert.Throws<DaosException>(() => BlobStore.Open(truncated, Name, heap));
            Assert.Equal(DaosError.DurableFormatInvalid, e.Error);
            Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        }
    }

    private static void Put(SimulatedMedium medium, string name, byte[] content)
    {
        using IMediumFile file = medium.OpenFile(name, MediumOpenMode.OpenOrCreate);
        file.SetLength(0);
        file.Write(0, content);
        file.Flush();
    }
}
