using Daos.Harness.Storage;
using Daos.Vos.Umem;
using static Daos.Vos.Tests.Umem.HeapTestKit;

namespace Daos.Vos.Tests.Umem;

/// <summary>
/// A seeded workload recorded on a simulated medium: batches of transactions (allocate, write, move, set, free,
/// some aborted) sharing one group-commit barrier, explicit checkpoints between batches, and checkpoints forced by
/// the small WAL. For every commit it keeps the image hash after it and the medium operation count at which it
/// was acknowledged, so any crash state can be judged.
/// </summary>
internal sealed class CrashWorkload
{
    private readonly Queue<(Action<object?> Work, object? State)> _scheduled = new();

    public CrashWorkload(ulong seed, int batches = 50)
    {
        Seed = seed;
        var random = new DeterministicRandom(seed);
        Medium = NewMedium();
        Options = HeapTestKit.Options(heapBytes: 128 * 1024, walBytes: 32 * 1024,
            scheduler: (work, state) => _scheduled.Enqueue((work, state)));
        using UmemHeap heap = UmemHeap.Create(Medium, Name, Options);
        Medium.StartRecording();
        Hashes.Add(ImageHash(heap));
        UsedBytes.Add(heap.Space.UsedBytes);
        AckedAt.Add(0);
        var live = new List<(long Offset, int Size)>();
        for (int b = 0; b < batches; b++)
        {
            int inBatch = random.Next(1, 5);
            var pending = new List<Task>();
            for (int t = 0; t < inBatch; t++)
            {
                UmemTransaction tx = heap.Begin();
                var added = new List<(long, int)>();
                var freed = new List<(long, int)>();
                int ops = random.Next(1, 6);
                for (int o = 0; o < ops; o++)
                {
                    int kind = random.Next(10);
                    if (kind < 3 || live.Count == 0)
                    {
                        int size = random.Chance(0.8) ? random.Next(1, 600) : random.Next(2000, 9000);
                        if (tx.TryAllocate(size, out long offset))
                        {
                            tx.Write(offset, Bytes(Math.Min(size, 64), random.Next(1000)));
                            added.Add((offset, size));
                        }
                    }
                    else if (kind < 8)
                    {
                        (long offset, int size) = live[random.Next(live.Count)];
                        int length = random.Next(1, Math.Min(size, 300) + 1);
                        int at = random.Next(size - length + 1);
                        if (random.Chance(0.2))
                        {
                            tx.Set(offset + at, (byte)random.Next(256), length);
                        }
                        else
                        {
                            tx.Write(offset + at, Bytes(length, random.Next(1000)));
                        }
                    }
                    else if (kind == 8)
                    {
                        (long offset, int size) = live[random.Next(live.Count)];
                        if (size >= 2)
                        {
                            int length = random.Next(1, size / 2 + 1);
                            tx.Move(offset + size - length, offset, length);
                        }
                    }
                    else if (freed.Count == 0)
                    {
                        int index = random.Next(live.Count);
                        tx.Free(live[index].Offset);
                        freed.Add(live[index]);
                    }
                }

                if (random.Chance(0.15))
                {
                    tx.Abort();
                    continue;
                }

                Task commit = tx.CommitAsync().AsTask();
                live.AddRange(added);
                foreach ((long, int) f in freed)
                {
                    live.Remove(f);
                }

                if (commit.IsCompleted)
                {
                    // Only a transaction that changed nothing completes at once.
                    if (ImageHash(heap) != Hashes[^1] || !commit.IsCompletedSuccessfully)
                    {
                        throw new InvalidOperationException($"workload {seed}: a commit completed before its barrier");
                    }

                    continue;
                }

                pending.Add(commit);
                Hashes.Add(ImageHash(heap));
                UsedBytes.Add(heap.Space.UsedBytes);
            }

            if (pending.Count == 0)
            {
                continue;
            }

            if (pending.Exists(task => task.IsCompleted))
            {
                throw new InvalidOperationException($"workload {seed}: a commit completed before its barrier");
            }

            int before = Medium.Recorded.Count;
            while (_scheduled.TryDequeue(out (Action<object?> Work, object? State) item))
            {
                item.Work(item.State);
            }

            int ack = FirstWalFlushAfter(before);
            if (!Task.WaitAll([.. pending], TimeSpan.FromSeconds(30)))
            {
                throw new InvalidOperationException($"workload {seed}: a commit is not acknowledged after its barrier");
            }

            foreach (Task task in pending)
            {
                AckedAt.Add(ack);
            }

            if (random.Chance(0.15))
            {
                Checkpoint(heap);
            }
        }

        CheckpointCount = heap.CheckpointCount;
        OperationCount = Medium.Recorded.Count;
    }

    public ulong Seed { get; }

    public SimulatedMedium Medium { get; }

    public UmemOptions Options { get; }

    /// <summary>Image hash after commit k (index 0: before the first).</summary>
    public List<ulong> Hashes { get; } = [];

    public List<long> UsedBytes { get; } = [];

    /// <summary>Operation count at which commit k was durable and acknowledged.</summary>
    public List<int> AckedAt { get; } = [];

    public long CheckpointCount { get; }

    public int OperationCount { get; }

    /// <summary>The prefixes worth crashing at: just before and just after every durability point.</summary>
    public List<int> CrashPoints()
    {
        var points = new SortedSet<int>();
        IReadOnlyList<MediumEvent> events = Medium.Recorded;
        for (int i = 0; i < events.Count; i++)
        {
            if (events[i].IsDurabilityPoint)
            {
                points.Add(i);
                points.Add(i + 1);
            }
        }

        points.Add(events.Count);
        return [.. points];
    }

    public int AcknowledgedBy(int operationCount)
    {
        int acked = 0;
        for (int k = 1; k < AckedAt.Count; k++)
        {
            if (AckedAt[k] <= operationCount)
            {
                acked = k;
            }
        }

        return acked;
    }

    private int FirstWalFlushAfter(int start)
    {
        IReadOnlyList<MediumEvent> events = Medium.Recorded;
        string wal = UmemHeap.WalFileName(Name);
        for (int i = start; i < events.Count; i++)
        {
            if (events[i].Kind == "Flush" && events[i].File == wal)
            {
                return i + 1;
            }
        }

        throw new InvalidOperationException($"workload {Seed}: no WAL barrier after operation {start}");
    }
}
