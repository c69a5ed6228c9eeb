using System.Globalization;
using System.Text;
using Daos.Engine.Rdb.Raft;
using Daos.Harness.Checkers;

namespace Daos.Engine.Tests.Rdb.Raft;

/// <summary>
/// One seeded run of a replica group under faults, in the manner of TigerBeetle's simulator: the seed picks the fault
/// rates themselves (loss, duplication, delay, reordering, crashes including crashes part-way through persisting a
/// Ready, partitions), the Raft options (pre-vote, check-quorum, ReadIndex or lease reads, compaction interval,
/// snapshot chunk size) and a key-value client workload. The safety checker runs after every Ready; then faults
/// heal and the group must elect a leader and converge within <see cref="ConvergenceTicksMax"/> ticks; finally the
/// clients' history must be linearizable.
/// </summary>
internal sealed class RaftSimulation
{
    public const int ConvergenceTicksMax = 600;

    private readonly ulong _seed;
    private readonly int _replicaCount;
    private readonly DeterministicRandom _random;
    private readonly RaftCluster _cluster;
    private readonly List<KvOperation> _history = [];
    private readonly Client[] _clients;
    private readonly Dictionary<(ulong Replica, ulong Index), Client> _writesAwaitingApply = [];
    private readonly bool _membershipChurn;
    private readonly HashSet<ulong> _retired = [];
    private long _time;
    private int _crashes;
    private int _configurationChanges;
    private int _transfers;
    private ulong _nextContext = 1;

    public RaftSimulation(ulong seed, int replicaCount)
    {
        _seed = seed;
        _replicaCount = replicaCount;
        _random = new DeterministicRandom(seed);
        bool checkQuorum = _random.Chance(0.7);
        var options = new RaftOptions
        {
            ReplicaId = 1,
            ElectionTicks = 10,
            HeartbeatTicks = _random.Next(1, 3),
            PreVote = _random.Chance(0.7),
            CheckQuorum = checkQuorum,
            ReadOnlyMode = checkQuorum && _random.Chance(0.5) ? ReadOnlyMode.LeaseBased : ReadOnlyMode.Safe,
            SnapshotChunkSizeBytes = _random.Next(8, 128),
            MessageSizeBytesMax = _random.Next(64, 1024),
            InflightMessagesMax = _random.Next(1, 8),
        };
        _cluster = new RaftCluster(_random.NextUInt64(), options)
        {
            DropProbability = _random.NextDouble() * 0.15,
            DuplicateProbability = _random.NextDouble() * 0.1,
            DelayProbability = _random.NextDouble() * 0.3,
            Reorder = _random.Chance(0.5),
            CompactEvery = _random.Next(3) switch { 0 => 0UL, 1 => 5UL, _ => 25UL },
        };
        _cluster.Applied = OnApplied;
        var voters = new RaftConfiguration(Enumerable.Range(1, replicaCount).Select(i => (ulong)i));
        for (int i = 1; i <= replicaCount; i++)
        {
            _cluster.Add((ulong)i, voters);
        }

        // Membership churn: two spare replicas start outside the group; the leader adds and removes voters (one at a
        // time or through joint consensus) while faults continue.
        _membershipChurn = _random.Chance(0.4);
        if (_membershipChurn)
        {
            _cluster.Add((ulong)replicaCount + 1, null);
            _cluster.Add((ulong)replicaCount + 2, null);
        }

        _clients = new Client[_random.Next(2, 8)];
        for (int i = 0; i < _clients.Length; i++)
        {
            _clients[i] = new Client(i);
        }

        FaultTicks = _random.Next(150, 350);
    }

    public int FaultTicks { get; }

    public string Describe() =>
        $"seed {_seed} replicas={_replicaCount} options={_cluster.Template} drop={_cluster.DropProbability:F3} dup={_cluster.DuplicateProbability:F3} " +
        $"delay={_cluster.DelayProbability:F3} reorder={_cluster.Reorder} compact={_cluster.CompactEvery} faultTicks={FaultTicks} churn={_membershipChurn}";

    public SimulationReport Run()
    {
        double crashChance = 0.002 + (_random.NextDouble() * 0.015);
        double partitionChance = _random.NextDouble() * 0.04;
        for (int tick = 0; tick < FaultTicks; tick++)
        {
            InjectFaults(crashChance, partitionChance);
            Step(issueOperations: true);
        }

        // Heal: no more faults; every replica back; the group must settle.
        _cluster.Heal();
        _cluster.DropProbability = 0;
        _cluster.DuplicateProbability = 0;
        _cluster.DelayProbability = 0;
        foreach (RaftCluster.Replica replica in _cluster.Replicas.Values)
        {
            replica.CrashDuringNextReady = false;
            if (!replica.IsUp)
            {
                _cluster.Restart(replica.Id);
            }
        }

        int convergedAfter = -1;
        for (int tick = 0; tick < ConvergenceTicksMax; tick++)
        {
            Step(issueOperations: false);
            RetireNonMembers();
            if (IsConverged())
            {
                convergedAfter = tick;
                break;
            }
        }

        if (convergedAfter < 0)
        {
            throw new SafetyViolationException($"no convergence within {ConvergenceTicksMax} ticks after healing: " +
                string.Join("; ", _cluster.Replicas.Values.Select(_cluster.Describe)) + " | leader progress: " +
                (_cluster.Leader() is { } l ? string.Join("; ", _cluster.Replicas.Keys.Select(id => $"{id} {l.Node!.ProgressSummary(id)}")) : "no leader")
                + " | snapshots: " + string.Join("; ", _cluster.Replicas.Values.Select(r => $"{r.Id} {r.Storage.Snapshot.Index}")));
        }

        // Writes still unanswered may or may not have happened.
        foreach (Client client in _clients)
        {
            client.Abandon(this);
        }

        LinearizabilityResult linearizability = LinearizabilityChecker.CheckKv(_history);
        if (!linearizability.IsLinearizable)
        {
            string ops = string.Join("\n", _history.Where(o => o.Key == linearizability.Key).OrderBy(o => o.CallTime));
            throw new SafetyViolationException($"history is not linearizable ({linearizability.Outcome}) on key {linearizability.Key}:\n{ops}");
        }

        int reads = _history.Count(o => o.Kind == KvOperationKind.Get);
        int writesAcknowledged = _history.Count(o => o.Kind != KvOperationKind.Get && o.ReturnTime != KvOperation.Pending);
        ulong highestTerm = _cluster.Live.Max(r => r.Node!.Term);
        return new SimulationReport(convergedAfter, reads, writesAcknowledged, _cluster.Checker.Checks,
            _cluster.Checker.HighestCommitted, _crashes, _cluster.SnapshotsInstalled, highestTerm, _cluster.MessagesDelivered,
            _configurationChanges, _transfers);
    }

    private void Step(bool issueOperations)
    {
        _cluster.TickAll();
        int rounds = _random.Next(1, 4);
        for (int i = 0; i < rounds; i++)
        {
            _cluster.DeliverRound();
        }

        foreach (Client client in _clients)
        {
            client.Poll(this);
            if (issueOperations && client.IsIdle && _random.Chance(0.5))
            {
                client.Issue(this);
            }
        }
    }

    private void InjectFaults(double crashChance, double partitionChance)
    {
        foreach (RaftCluster.Replica replica in _cluster.Replicas.Values)
        {
            if (replica.IsUp && _random.Chance(crashChance))
            {
                _crashes++;
                if (_random.Chance(0.5))
                {
                    replica.CrashDuringNextReady = true;
                }
                else
                {
                    _cluster.Crash(replica.Id);
                }
            }
            else if (!replica.IsUp && _random.Chance(0.05))
            {
                _cluster.Restart(replica.Id);
            }
        }

        if (_membershipChurn && _random.Chance(0.02))
        {
            ChangeMembership();
        }

        if (_random.Chance(0.01) && _cluster.Leader() is { } leader)
        {
            IReadOnlyList<ulong> voters = leader.Node!.Configuration.Voters;
            if (leader.Node.TransferLeadership(voters[_random.Next(voters.Count)]))
            {
                _transfers++;
                _cluster.ProcessReady(leader);
            }
        }

        if (_random.Chance(partitionChance))
        {
            var left = new List<ulong>();
            var right = new List<ulong>();
            foreach (ulong id in _cluster.Replicas.Keys)
            {
                (_random.Chance(0.5) ? left : right).Add(id);
            }

            _cluster.Partition([.. left], [.. right]);
        }
        else if (_random.Chance(0.02))
        {
            _cluster.Heal();
        }
    }

    private void ChangeMembership()
    {
        RaftCluster.Replica? leader = _cluster.Leader();
        if (leader is null || leader.Node!.Configuration.IsJoint)
        {
            return;
        }

        RaftConfiguration configuration = leader.Node.Configuration;
        List<ulong> outside = [.. _cluster.Replicas.Keys.Where(id => !configuration.IsVoter(id))];
        List<ulong> inside = [.. configuration.Voters];
        ConfigChange change;
        bool add = outside.Count > 0 && (inside.Count < _replicaCount || (inside.Count == _replicaCount && _random.Chance(0.5)));
        if (_random.Chance(0.3) && outside.Count > 0)
        {
            change = ConfigChange.EnterJoint([outside[_random.Next(outside.Count)]], [inside[_random.Next(inside.Count)]]);
        }
        else if (add)
        {
            change = ConfigChange.AddVoter(outside[_random.Next(outside.Count)]);
        }
        else if (inside.Count > 3)
        {
            change = ConfigChange.RemoveVoter(inside[_random.Next(inside.Count)]);
        }
        else
        {
            return;
        }

        if (leader.Node.ProposeConfigChange(change).IsAccepted)
        {
            _configurationChanges++;
            _cluster.ProcessReady(leader);
        }
    }

    /// <summary>Stops replicas the settled configuration no longer holds, as an operator would.</summary>
    private void RetireNonMembers()
    {
        RaftCluster.Replica? leader = _cluster.Leader();
        if (leader is null || leader.Node!.Configuration.IsJoint || leader.Node.AppliedIndex != leader.Node.CommitIndex)
        {
            return;
        }

        RaftConfiguration configuration = leader.Node.Configuration;
        foreach (RaftCluster.Replica replica in _cluster.Replicas.Values)
        {
            if (replica.IsUp && !configuration.IsVoter(replica.Id))
            {
                _cluster.Crash(replica.Id);
                _retired.Add(replica.Id);
            }
            else if (!replica.IsUp && configuration.IsVoter(replica.Id) && _retired.Remove(replica.Id))
            {
                // Retired under an older leader's view, then (re)added by a change that committed since.
                _cluster.Restart(replica.Id);
            }
        }
    }

    private bool IsConverged()
    {
        RaftCluster.Replica? leader = _cluster.Leader();
        if (leader is null || leader.Node!.Configuration.IsJoint)
        {
            return false;
        }

        RaftNode l = leader.Node!;
        string digest = leader.State.Digest();
        foreach (RaftCluster.Replica replica in _cluster.Replicas.Values)
        {
            if (!l.Configuration.IsVoter(replica.Id))
            {
                continue;
            }

            RaftNode? n = replica.Node;
            if (n is null)
            {
                return false;
            }

            if (n.Term != l.Term || n.LeaderId != l.Id || n.CommitIndex != l.LastIndex || n.AppliedIndex != n.CommitIndex
                || replica.State.Digest() != digest)
            {
                return false;
            }
        }

        return true;
    }

    private void OnApplied(RaftCluster.Replica replica, LogEntry entry)
    {
        if (_writesAwaitingApply.Remove((replica.Id, entry.Index), out Client? client))
        {
            client.WriteApplied(this, entry);
        }
    }

    internal sealed record SimulationReport(int ConvergenceTicks, int Reads, int WritesAcknowledged, long SafetyChecks,
        ulong HighestCommitted, int Crashes, int SnapshotsInstalled, ulong HighestTerm, ulong MessagesDelivered,
        int ConfigurationChanges, int Transfers);

    private sealed class Client(int id)
    {
        private const int TimeoutTicks = 25;
        private KvOperation _operation;
        private bool _outstanding;
        private ulong _replica;
        private ulong _index;
        private ulong _term;
        private ulong _context;
        private ulong _readIndex;
        private bool _readConfirmed;
        private int _age;
        private int _sequence;
        private ulong _preferred = 1;

        public bool IsIdle => !_outstanding;

        public void Issue(RaftSimulation sim)
        {
            string key = sim._random.Next(3) switch { 0 => "a", 1 => "b", _ => "c" };
            RaftCluster.Replica? target = sim._cluster.Replicas.GetValueOrDefault(_preferred);
            if (target is null || !target.IsUp || sim._random.Chance(0.35))
            {
                List<RaftCluster.Replica> live = [.. sim._cluster.Live];
                if (live.Count == 0)
                {
                    return;
                }

                target = live[sim._random.Next(live.Count)];
            }

            RaftNode node = target.Node!;
            int kind = sim._random.Next(10);
            _age = 0;
            if (kind < 5)
            {
                // A read, through ReadIndex or the lease, at any replica.
                ulong context = sim._nextContext++;
                if (node.RequestRead(context) != ReadRequestStatus.Accepted)
                {
                    _preferred = node.LeaderId != 0 ? node.LeaderId : _preferred;
                    return;
                }

                sim._cluster.ProcessReady(target);
                _operation = new KvOperation(id, KvOperationKind.Get, key, null, ++sim._time, KvOperation.Pending);
                _replica = target.Id;
                _context = context;
                _readConfirmed = false;
                _outstanding = true;
                return;
            }

            string opId = $"c{id}.{++_sequence}";
            bool delete = kind == 9;
            string value = $"{opId}";
            string command = delete ? $"del {opId} {key}" : $"put {opId} {key} {value}";
            ProposalResult result = node.Propose(Encoding.UTF8.GetBytes(command));
            if (!result.IsAccepted)
            {
                _preferred = result.LeaderHint != 0 ? result.LeaderHint : _preferred;
                return;
            }

            _operation = new KvOperation(id, delete ? KvOperationKind.Delete : KvOperationKind.Put, key, delete ? null : value, ++sim._time, KvOperation.Pending);
            _replica = target.Id;
            _index = result.Index;
            _term = result.Term;
            _outstanding = true;
            sim._writesAwaitingApply[(_replica, _index)] = this;
            sim._cluster.ProcessReady(target);
        }

        public void WriteApplied(RaftSimulation sim, LogEntry entry)
        {
            if (!_outstanding || _operation.Kind == KvOperationKind.Get)
            {
                return;
            }

            if (entry.Term == _term)
            {
                sim._history.Add(_operation with { ReturnTime = ++sim._time });
                _outstanding = false;
            }
            else
            {
                // Another entry took our index: ours was never committed. Recording it as pending is still sound.
                Abandon(sim);
            }
        }

        public void Poll(RaftSimulation sim)
        {
            if (!_outstanding)
            {
                return;
            }

            RaftCluster.Replica replica = sim._cluster[_replica];
            if (++_age > TimeoutTicks || !replica.IsUp)
            {
                Abandon(sim);
                return;
            }

            if (_operation.Kind != KvOperationKind.Get)
            {
                return;
            }

            if (!_readConfirmed)
            {
                int found = replica.ReadStates.FindIndex(r => r.Context == _context);
                if (found < 0)
                {
                    return;
                }

                _readIndex = replica.ReadStates[found].Index;
                replica.ReadStates.RemoveAt(found);
                _readConfirmed = true;
            }

            if (replica.State.AppliedIndex >= _readIndex)
            {
                sim._history.Add(_operation with { Value = replica.State.Get(_operation.Key), ReturnTime = ++sim._time });
                _outstanding = false;
            }
        }

        public void Abandon(RaftSimulation sim)
        {
            if (!_outstanding)
            {
                return;
            }

            _outstanding = false;
            if (_operation.Kind != KvOperationKind.Get)
            {
                sim._writesAwaitingApply.Remove((_replica, _index));
                sim._history.Add(_operation);
            }
        }
    }
}
