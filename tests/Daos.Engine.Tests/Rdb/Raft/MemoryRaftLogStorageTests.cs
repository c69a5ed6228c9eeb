using Daos.Engine.Rdb.Raft;

namespace Daos.Engine.Tests.Rdb.Raft;

/// <summary>The in-memory log against a plain list, over random appends, overwrites, snapshots and compactions.</summary>
public sealed class MemoryRaftLogStorageTests
{
    [Fact]
    public void Log_behaves_like_a_list_under_random_operations()
    {
        const ulong seed = 0x10C;
        var random = new DeterministicRandom(seed);
        for (int round = 0; round < 300; round++)
        {
            var storage = new MemoryRaftLogStorage();
            var model = new List<(ulong Index, ulong Term)>(); // model[i] is entry i + 1.
            ulong compactedThrough = 0;
            ulong term = 1;
            for (int step = 0; step < 60; step++)
            {
                int action = random.Next(10);
                if (action < 6)
                {
                    // Append a batch starting anywhere from the first held index to one past the end.
                    ulong low = compactedThrough + 1;
                    ulong first = low + random.NextUInt64((ulong)model.Count - compactedThrough + 1);
                    term += random.Chance(0.3) ? 1UL : 0UL;
                    var batch = new List<LogEntry>();
                    int count = random.Next(1, 5);
                    for (int i = 0; i < count; i++)
                    {
                        batch.Add(new LogEntry(first + (ulong)i, term, LogEntryKind.Normal, new byte[] { (byte)i }));
                    }

                    storage.Append(batch);
                    model.RemoveRange((int)(first - 1), model.Count - (int)(first - 1));
                    model.AddRange(batch.Select(e => (e.Index, e.Term)));
                }
                else if (model.Count > (int)compactedThrough)
                {
                    ulong index = compactedThrough + 1 + random.NextUInt64((ulong)model.Count - compactedThrough);
                    storage.CreateSnapshot(index, new RaftConfiguration([1]), new byte[] { 1 });
                    storage.Compact(index);
                    compactedThrough = index;
                }

                string context = $"seed {seed:x} round {round} step {step}";
                Assert.True(storage.FirstIndex == compactedThrough + 1, context);
                Assert.True(storage.LastIndex == (ulong)model.Count, context);
                for (ulong index = compactedThrough == 0 ? 1 : compactedThrough; index <= (ulong)model.Count; index++)
                {
                    Assert.True(storage.TryGetTerm(index, out ulong actual) && actual == model[(int)index - 1].Term, $"{context}: term of {index}");
                }

                Assert.False(storage.TryGetTerm((ulong)model.Count + 1, out _), context);
                if (storage.FirstIndex <= storage.LastIndex)
                {
                    var entries = new List<LogEntry>();
                    storage.GetEntries(storage.FirstIndex, storage.LastIndex + 1, long.MaxValue, entries);
                    Assert.True(entries.Select(e => (e.Index, e.Term)).SequenceEqual(model.Skip((int)compactedThrough)), context);
                    var bounded = new List<LogEntry>();
                    storage.GetEntries(storage.FirstIndex, storage.LastIndex + 1, 0, bounded);
                    Assert.Single(bounded);
                }
            }
        }
    }

    [Fact]
    public void Applying_a_snapshot_replaces_the_log()
    {
        var storage = new MemoryRaftLogStorage(new RaftConfiguration([1, 2, 3]));
        storage.Append([new LogEntry(2, 1, LogEntryKind.Normal, new byte[] { 9 })]);
        var snapshot = new RaftSnapshot(10, 4, new RaftConfiguration([1, 2]), new byte[] { 1, 2, 3 });
        storage.ApplySnapshot(snapshot);
        Assert.Equal(11UL, storage.FirstIndex);
        Assert.Equal(10UL, storage.LastIndex);
        Assert.True(storage.TryGetTerm(10, out ulong term) && term == 4);
        Assert.Same(snapshot, storage.Snapshot);
        Assert.True(snapshot.IsChecksumValid);
    }
}
