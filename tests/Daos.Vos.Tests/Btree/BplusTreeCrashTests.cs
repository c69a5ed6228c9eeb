using Daos.Harness.Storage;
using Daos.Vos.Btree;
using Daos.Vos.Umem;
using Xunit.Abstractions;
using static Daos.Vos.Tests.Btree.TreeTestKit;
using static Daos.Vos.Tests.Umem.HeapTestKit;

namespace Daos.Vos.Tests.Btree;

/// <summary>
/// Crash-state enumeration over tree changes, with the heap's crash machinery: a seeded workload of transactions
/// (inserts and deletes that split, borrow, merge, grow and shrink a small-order tree; some aborted; sliced
/// destroys; checkpoints forced by a small WAL) is recorded on a simulated medium; the write stream is cut just
/// before and after every durability point and the in-flight writes kept, dropped or torn by several seeds. Each
/// crashed medium must open to a tree that passes <see cref="BplusTree.Verify"/> and holds exactly the records
/// after some commit k, k at least the number of commits acknowledged before the cut, with the heap's used bytes
/// of that commit (no node or key block leaked or lost).
/// </summary>
public sealed class BplusTreeCrashTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_crash_state_recovers_to_an_acknowledged_tree()
    {
        long states = Enumerate(firstSeed: 1, workloads: 6, seedsPerPoint: 2);
        output.WriteLine($"{states} crash states checked");
        Assert.True(states >= 800, $"only {states} crash states");
    }

    [Fact]
    [Trait("Category", "Soak")]
    public void Soak_crash_states()
    {
        long states = Enumerate(firstSeed: 1000, workloads: 400, seedsPerPoint: 10);
        output.WriteLine($"{states} crash states checked");
    }

    private static long Enumerate(ulong firstSeed, int workloads, int seedsPerPoint)
    {
        long states = 0;
        for (ulong seed = firstSeed; seed < firstSeed + (ulong)workloads; seed++)
        {
            var workload = new Workload(seed);
            Assert.True(workload.CheckpointCount > 0, $"workload {seed} never checkpointed");
            foreach (int point in workload.CrashPoints())
            {
                for (int s = 0; s < seedsPerPoint; s++)
                {
                    ulong crashSeed = (seed << 32) ^ ((ulong)point << 8) ^ (ulong)s;
                    workload.Check(point, crashSeed);
                    states++;
                }
            }
        }

        return states;
    }

    private sealed class Workload
    {
        private readonly List<string> _contents = [];
        private readonly List<long> _usedBytes = [];
        private readonly List<int> _ackedAt = [];
        private readonly UmemOptions _options = Options(heapBytes: 512 * 1024, walBytes: 48 * 1024);
        private readonly SimulatedMedium _medium = NewMedium();
        private readonly BtreeKeyClass _keyClass;

        public Workload(ulong seed)
        {
            Seed = seed;
            var random = new DeterministicRandom(seed);
            _keyClass = Classes[random.Next(Classes.Length)];
            BtreeFeatures features = random.Chance(0.5) ? BtreeFeatures.EmbedFirst : BtreeFeatures.None;
            (UmemHeap heap, BplusTree tree) = NewTree(_medium, _keyClass, order: random.Next(3, 6), valueBytes: 8, features, _options);
            using (heap)
            {
                _medium.StartRecording();
                Note(heap, tree);
                var live = new HashSet<int>();
                for (int t = 0; t < 40; t++)
                {
                    UmemTransaction tx = heap.Begin();
                    if (random.Chance(0.05))
                    {
                        while (!tree.DestroySlice(tx, 1))
                        {
                        }

                        live.Clear();
                    }

                    var changed = new HashSet<int>(live);
                    int ops = random.Next(1, 9);
                    for (int o = 0; o < ops; o++)
                    {
                        int k = random.Next(60);
                        if (random.Chance(0.6))
                        {
                            tree.Insert(tx, KeyFor(_keyClass, k), BitConverter.GetBytes(random.NextUInt64()));
                            changed.Add(k);
                        }
                        else
                        {
                            tree.Delete(tx, KeyFor(_keyClass, k));
                            changed.Remove(k);
                        }
                    }

                    if (random.Chance(0.15))
                    {
                        tx.Abort();
                        continue;
                    }

                    Commit(tx);
                    live = changed;
                    Note(heap, tree);
                    if (random.Chance(0.1))
                    {
                        Checkpoint(heap);
                    }
                }

                CheckpointCount = heap.CheckpointCount;
            }
        }

        public ulong Seed { get; }

        public long CheckpointCount { get; }

        private void Note(UmemHeap heap, BplusTree tree)
        {
            tree.Verify();
            _contents.Add(Describe(Contents(tree)));
            _usedBytes.Add(heap.Space.UsedBytes);
            _ackedAt.Add(_medium.Recorded.Count);
        }

        public List<int> CrashPoints()
        {
            var points = new SortedSet<int>();
            IReadOnlyList<MediumEvent> events = _medium.Recorded;
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

        public void Check(int point, ulong crashSeed)
        {
            string where = $"workload seed {Seed} ({_keyClass}), crash after operation {point}, crash seed {crashSeed}";
            int acked = 0;
            for (int k = 1; k < _ackedAt.Count; k++)
            {
                if (_ackedAt[k] <= point)
                {
                    acked = k;
                }
            }

            SimulatedMedium crashed = _medium.CrashAfter(point, crashSeed);
            using UmemHeap heap = Open(crashed, _options);
            BplusTree tree = BplusTree.Open(heap, RootAt);
            tree.Verify();
            string contents = Describe(Contents(tree));
            int found = _contents.IndexOf(contents, acked);
            Assert.True(found >= acked, $"{where}: the tree is not the one after any commit from {acked} on (acknowledged)");
            Assert.True(heap.Space.UsedBytes == _usedBytes[found],
                $"{where}: used bytes {heap.Space.UsedBytes}, after commit {found} they were {_usedBytes[found]}");
        }
    }
}
