using System.Globalization;
using Daos.Engine.Rdb.Raft;

namespace Daos.Engine.Tests.Rdb.Raft;

/// <summary>
/// An in-memory group of <see cref="RaftNode"/>s for tests: carries out every Ready as the contract says (persist to
/// a <see cref="MemoryRaftLogStorage"/>, then send, then apply), moves messages through a network that can partition,
/// drop, duplicate and reorder them from a seed, crashes replicas (losing everything not yet persisted, optionally
/// in the middle of a Ready) and restarts them from their storage. A <see cref="SafetyChecker"/> runs after every Ready.
/// </summary>
internal sealed class RaftCluster
{
    private readonly DeterministicRandom _random;
    private readonly HashSet<(ulong From, ulong To)> _blocked = [];
    private List<RaftMessage> _network = [];

    public RaftCluster(ulong seed, RaftOptions template)
    {
        _random = new DeterministicRandom(seed);
        Template = template;
    }

    public RaftOptions Template { get; }

    public SortedDictionary<ulong, Replica> Replicas { get; } = [];

    public SafetyChecker Checker { get; } = new();

    public IReadOnlyList<RaftMessage> InFlight => _network;

    /// <summary>Receives a line per message sent, delivered or dropped, and per event; null: no trace.</summary>
    public Action<string>? Trace { get; set; }

    public double DropProbability { get; set; }

    public double DuplicateProbability { get; set; }

    public bool Reorder { get; set; }

    /// <summary>Chance that a message in flight waits for a later round instead of arriving now.</summary>
    public double DelayProbability { get; set; }

    /// <summary>Take a snapshot and compact the log once this many entries are applied beyond the last snapshot (0: never).</summary>
    public ulong CompactEvery { get; set; }

    /// <summary>Rewrites (or, returning null, drops) a message as it is delivered; for scenario tests.</summary>
    public Func<RaftMessage, RaftMessage?>? Tamper { get; set; }

    /// <summary>Called with (replica, entry) for each entry a replica applies, after the state machine.</summary>
    public Action<Replica, LogEntry>? Applied { get; set; }

    public ulong MessagesDelivered { get; private set; }

    public int SnapshotsInstalled { get; private set; }

    public Replica Add(ulong id, RaftConfiguration? initialConfiguration)
    {
        var replica = new Replica(id, Template with { ReplicaId = id }, new MemoryRaftLogStorage(initialConfiguration), _random.Fork());
        Replicas.Add(id, replica);
        replica.Start();
        return replica;
    }

    public Replica this[ulong id] => Replicas[id];

    public IEnumerable<Replica> Live => Replicas.Values.Where(r => r.IsUp);

    public void TickAll()
    {
        foreach (Replica replica in Replicas.Values)
        {
            if (replica.IsUp)
            {
                replica.Node!.Tick();
            }
        }

        ProcessAllReady();
    }

    public void ProcessAllReady()
    {
        foreach (Replica replica in Replicas.Values)
        {
            if (replica.IsUp)
            {
                ProcessReady(replica);
            }
        }
    }

    /// <summary>Carries out Readys until the replica has none; with <paramref name="crashMidway"/>, dies part-way.</summary>
    public void ProcessReady(Replica replica, bool crashMidway = false)
    {
        RaftNode node = replica.Node!;
        while (node.HasReady)
        {
            Ready ready = node.GetReady();
            MemoryRaftLogStorage storage = replica.Storage;
            if (crashMidway || replica.CrashDuringNextReady)
            {
                // Persist a random prefix of the writes (snapshot, entries one by one, hard state), send nothing.
                int steps = 2 + ready.Entries.Count;
                int persisted = _random.Next(steps + 1);
                int done = 0;
                if (ready.Snapshot is not null && done++ < persisted)
                {
                    storage.ApplySnapshot(ready.Snapshot);
                }

                for (int i = 0; i < ready.Entries.Count && done++ < persisted; i++)
                {
                    storage.Append([ready.Entries[i]]);
                }

                if (ready.HardState is { } partialState && done < persisted)
                {
                    storage.SetHardState(ClampCommit(partialState, storage));
                }

                Crash(replica.Id);
                return;
            }

            if (ready.Snapshot is not null)
            {
                storage.ApplySnapshot(ready.Snapshot);
            }

            storage.Append(ready.Entries);
            if (ready.HardState is { } hardState)
            {
                storage.SetHardState(hardState);
            }

            foreach (RaftMessage message in ready.Messages)
            {
                _network.Add(message);
            }

            if (ready.Snapshot is not null)
            {
                Checker.OnSnapshotInstalled(replica, ready.Snapshot);
                replica.State.Restore(ready.Snapshot);
                SnapshotsInstalled++;
                Trace?.Invoke($"{replica.Id} installs {ready.Snapshot}");
            }

            foreach (LogEntry entry in ready.CommittedEntries)
            {
                Checker.OnApply(replica, entry);
                replica.State.Apply(entry);
                Applied?.Invoke(replica, entry);
            }

            replica.ReadStates.AddRange(ready.ReadStates);
            foreach (ReadState read in ready.ReadStates)
            {
                Trace?.Invoke($"{replica.Id} read ctx={read.Context} index={read.Index}");
            }

            node.Advance(ready);
            if (ready.Role != replica.ReportedRole || ready.LeaderId != replica.ReportedLeader)
            {
                replica.ReportedRole = ready.Role;
                replica.ReportedLeader = ready.LeaderId;
                Trace?.Invoke($"{replica.Id} is {ready.Role} term={node.Term} leader={ready.LeaderId}");
            }

            Checker.AfterReady(replica);
            MaybeCompact(replica);
        }
    }

    /// <summary>Delivers every message now in flight (each may be dropped, duplicated, reordered); returns how many.</summary>
    public int DeliverRound()
    {
        List<RaftMessage> batch = _network;
        _network = [];
        if (Reorder)
        {
            for (int i = batch.Count - 1; i > 0; i--)
            {
                int j = _random.Next(i + 1);
                (batch[i], batch[j]) = (batch[j], batch[i]);
            }
        }

        foreach (RaftMessage message in batch)
        {
            if (DelayProbability > 0 && _random.Chance(DelayProbability))
            {
                _network.Add(message);
                continue;
            }

            Deliver(message);
            if (DuplicateProbability > 0 && _random.Chance(DuplicateProbability))
            {
                Deliver(message);
            }
        }

        return batch.Count;
    }

    /// <summary>Delivers and processes until no message is in flight (bounded).</summary>
    public void Stabilize(int roundsMax = 1000)
    {
        ProcessAllReady();
        for (int round = 0; round < roundsMax && _network.Count > 0; round++)
        {
            DeliverRound();
        }
    }

    public void Deliver(RaftMessage message)
    {
        if (!Replicas.TryGetValue(message.To, out Replica? target) || !target.IsUp)
        {
            Trace?.Invoke($"drop {message} (down)");
            return;
        }

        if (_blocked.Contains((message.From, message.To)))
        {
            Trace?.Invoke($"drop {message} (partition)");
            return;
        }

        if (DropProbability > 0 && _random.Chance(DropProbability))
        {
            return;
        }

        RaftMessage? delivered = Tamper is null ? message : Tamper(message);
        if (delivered is null)
        {
            Trace?.Invoke($"drop {message}");
            return;
        }

        Trace?.Invoke(delivered.ToString());
        MessagesDelivered++;
        target.Node!.Step(delivered);
        ProcessReady(target);
    }

    public void Crash(ulong id)
    {
        Replica replica = Replicas[id];
        replica.Node = null;
        replica.CrashDuringNextReady = false;
        replica.ReadStates.Clear();
        Trace?.Invoke($"{id} crashes");
    }

    public void Restart(ulong id)
    {
        Replica replica = Replicas[id];
        replica.Start();
        Trace?.Invoke($"{id} restarts term={replica.Node!.Term} commit={replica.Node.CommitIndex} last={replica.Node.LastIndex}");
    }

    /// <summary>Cuts every link between different groups (replicas not named stay connected to everyone).</summary>
    public void Partition(params ulong[][] groups)
    {
        _blocked.Clear();
        for (int a = 0; a < groups.Length; a++)
        {
            for (int b = 0; b < groups.Length; b++)
            {
                if (a == b)
                {
                    continue;
                }

                foreach (ulong x in groups[a])
                {
                    foreach (ulong y in groups[b])
                    {
                        _blocked.Add((x, y));
                    }
                }
            }
        }
    }

    public void Isolate(ulong id) => Partition([id], [.. Replicas.Keys.Where(k => k != id)]);

    public void Cut(ulong from, ulong to) => _blocked.Add((from, to));

    public void Heal() => _blocked.Clear();

    public void DropInFlight() => _network.Clear();

    public Replica? Leader()
    {
        Replica? best = null;
        foreach (Replica replica in Live)
        {
            if (replica.Node!.Role == RaftRole.Leader && (best is null || replica.Node.Term > best.Node!.Term))
            {
                best = replica;
            }
        }

        return best;
    }

    public string Describe(Replica replica)
    {
        if (!replica.IsUp)
        {
            return $"{replica.Id}: down";
        }

        RaftNode n = replica.Node!;
        return string.Create(CultureInfo.InvariantCulture,
            $"{n.Id}: {n.Role} term={n.Term} vote={n.VotedFor} leader={n.LeaderId} last={n.LastIndex} commit={n.CommitIndex} applied={n.AppliedIndex} conf={n.Configuration}");
    }

    private void MaybeCompact(Replica replica)
    {
        RaftNode node = replica.Node!;
        MemoryRaftLogStorage storage = replica.Storage;
        if (CompactEvery == 0 || node.AppliedIndex < storage.Snapshot.Index + CompactEvery)
        {
            return;
        }

        Compact(replica, node.AppliedIndex);
    }

    public void Compact(Replica replica, ulong index)
    {
        RaftNode node = replica.Node!;
        if (index != node.AppliedIndex)
        {
            throw new InvalidOperationException($"snapshots are taken at the applied index {node.AppliedIndex}, not {index}");
        }

        replica.Storage.CreateSnapshot(index, node.AppliedConfiguration, replica.State.Serialize());
        replica.Storage.Compact(index);
        Trace?.Invoke($"{replica.Id} compacts to {index}");
    }

    private static HardState ClampCommit(HardState state, MemoryRaftLogStorage storage) =>
        state with { Commit = Math.Min(state.Commit, Math.Max(storage.LastIndex, storage.HardState.Commit)) };

    internal sealed class Replica(ulong id, RaftOptions options, MemoryRaftLogStorage storage, DeterministicRandom random)
    {
        public ulong Id { get; } = id;

        public RaftOptions Options { get; } = options;

        public MemoryRaftLogStorage Storage { get; } = storage;

        public RaftNode? Node { get; set; }

        public KvStateMachine State { get; private set; } = new();

        public bool IsUp => Node is not null;

        public List<ReadState> ReadStates { get; } = [];

        public RaftRole ReportedRole { get; set; }

        public ulong ReportedLeader { get; set; }

        public RaftRole LastCheckedRole { get; set; }

        public ulong CheckedCommit { get; set; }

        /// <summary>Die part-way through the next Ready: persist a random prefix of its writes, send nothing.</summary>
        public bool CrashDuringNextReady { get; set; }

        public void Start()
        {
            Node = new RaftNode(Options, Storage, random.Fork());
            State = new KvStateMachine();
            State.Restore(Storage.Snapshot);
            ReportedRole = Node.Role;
            ReportedLeader = Node.LeaderId;
            LastCheckedRole = RaftRole.Follower;
            CheckedCommit = 0;
        }
    }
}
