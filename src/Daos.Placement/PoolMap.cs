using Daos.Placement.Map;

namespace Daos.Placement;

/// <summary>
/// The pool map: the fault-domain tree (root -> node -> rank -> target) with every component's state and the
/// versions at which it changed. Every layout is a pure function of this map and an object id, so a client and
/// every engine that hold the same map version agree on where every shard lives.
/// </summary>
/// <remarks>
/// Immutable and safe to share between threads: each state change (<see cref="Exclude"/>, <see cref="Drain"/>,
/// <see cref="Reintegrate"/>, <see cref="CompleteRebuild"/>, <see cref="Extend"/>) returns a new map whose
/// <see cref="Version"/> is one higher. The tree is stored breadth-first in one array (root, all nodes, all ranks)
/// and the targets in rank order in another; new components are always appended after their siblings, which is
/// what keeps layouts stable when the pool grows. Invalid transitions throw <see cref="DaosException"/> and leave
/// this map untouched.
/// </remarks>
public sealed partial class PoolMap
{
    /// <summary>Upper bound on targets in one map; far above DAOS's largest deployments, it bounds decoding.</summary>
    public const int TargetsMax = 1 << 20;

    internal readonly PoolComponent[] Domains;
    internal readonly PoolComponent[] TargetComponents;
    private readonly PoolTarget[] _targets;

    private PoolMap(int version, PoolComponent[] domains, PoolComponent[] targets)
    {
        string? problem = PoolMapLinks.Link(domains, targets.Length, out int nodes, out int ranks);
        if (problem != null)
        {
            ThrowHelper.InvalidArgument("invalid pool map: " + problem);
        }

        Version = version;
        Domains = domains;
        TargetComponents = targets;
        NodeCount = nodes;
        RankCount = ranks;
        _targets = new PoolTarget[targets.Length];
        for (int i = 0; i < targets.Length; i++)
        {
            ref PoolComponent t = ref targets[i];
            _targets[i] = new PoolTarget(t.Id, t.Rank, t.Index, t.Status);
            HasMigration |= t.Status is TargetStatus.Up or TargetStatus.Drain;
            HasIncoming |= t.Status == TargetStatus.Up;
            HasSkippable |= t.Status == TargetStatus.New || (t.Status == TargetStatus.Up && t.Fseq <= 1);
        }

        foreach (ref readonly PoolComponent d in domains.AsSpan())
        {
            HasSkippable |= d.Status == TargetStatus.New || (d.Status == TargetStatus.Up && d.Fseq <= 1);
        }
    }

    /// <summary>The map version: 1 when created, one more after every change.</summary>
    public int Version { get; }

    /// <summary>Every target, indexed by id, in rank order.</summary>
    public IReadOnlyList<PoolTarget> Targets => _targets;

    /// <summary>Number of nodes (hosts) in the map.</summary>
    public int NodeCount { get; }

    /// <summary>Number of ranks (engines) in the map.</summary>
    public int RankCount { get; }

    /// <summary>Some target is Up or Drain: layouts in Current mode may be extended (written to two homes).</summary>
    internal bool HasMigration { get; }

    /// <summary>Some target is Up: being reintegrated or added.</summary>
    internal bool HasIncoming { get; }

    /// <summary>Some component is New or newly added and Up: jump hashing must hide it in some modes.</summary>
    internal bool HasSkippable { get; }

    internal int RankStart => 1 + NodeCount;

    /// <summary>Number of fault domains at <paramref name="level"/>: nodes or ranks.</summary>
    public int DomainCount(FaultDomainLevel level) => level switch
    {
        FaultDomainLevel.Node => NodeCount,
        FaultDomainLevel.Rank => RankCount,
        _ => throw new DaosException(DaosError.InvalidArgument, $"unknown fault-domain level {(int)level}"),
    };

    /// <summary>
    /// A new pool: <paramref name="nodes"/> nodes, each with <paramref name="ranksPerNode"/> engines, each with
    /// <paramref name="targetsPerRank"/> targets, all UpIn, at version 1. Ranks and targets are numbered in order.
    /// </summary>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> for a count below 1 or a map above <see cref="TargetsMax"/> targets.</exception>
    public static PoolMap Create(int nodes, int ranksPerNode, int targetsPerRank)
    {
        CheckShape(nodes, ranksPerNode, targetsPerRank, 0);
        var domains = new List<PoolComponent>();
        var targets = new List<PoolComponent>();
        domains.Add(new PoolComponent
        {
            Type = ComponentType.Root, Status = TargetStatus.UpIn, Id = 0, Rank = -1, Fseq = 1, InVersion = 1,
            ChildCount = nodes,
        });
        var ranks = new List<PoolComponent>();
        AppendNodes(domains, ranks, targets, nodes, ranksPerNode, targetsPerRank, 0, 0, TargetStatus.UpIn, 1);
        domains.AddRange(ranks);
        return new PoolMap(1, [.. domains], [.. targets]);
    }

    private static void CheckShape(int nodes, int ranksPerNode, int targetsPerRank, int existingTargets)
    {
        if (nodes < 1 || ranksPerNode < 1 || targetsPerRank < 1)
        {
            ThrowHelper.InvalidArgument(
                $"a pool map needs at least one node, rank and target: got {nodes} node(s), {ranksPerNode} rank(s) per node, {targetsPerRank} target(s) per rank");
        }

        long total = (long)nodes * ranksPerNode * targetsPerRank + existingTargets;
        if (total > TargetsMax)
        {
            ThrowHelper.InvalidArgument($"a pool map is limited to {TargetsMax} targets; this one would have {total}");
        }
    }

    private static void AppendNodes(List<PoolComponent> nodesOut, List<PoolComponent> ranksOut, List<PoolComponent> targetsOut,
        int nodes, int ranksPerNode, int targetsPerRank, int firstNodeId, int firstRank, TargetStatus status, int version)
    {
        int rank = firstRank;
        for (int n = 0; n < nodes; n++)
        {
            nodesOut.Add(new PoolComponent
            {
                Type = ComponentType.Node, Status = status, Id = firstNodeId + n, Rank = -1, Fseq = 1,
                InVersion = version, ChildCount = ranksPerNode,
            });
            for (int r = 0; r < ranksPerNode; r++, rank++)
            {
                ranksOut.Add(new PoolComponent
                {
                    Type = ComponentType.Rank, Status = status, Id = rank, Rank = rank, Fseq = 1, InVersion = version,
                    ChildCount = targetsPerRank,
                });
                for (int t = 0; t < targetsPerRank; t++)
                {
                    targetsOut.Add(new PoolComponent
                    {
                        Type = ComponentType.Target, Status = status, Id = targetsOut.Count, Rank = rank, Index = t,
                        Fseq = 1, InVersion = version,
                    });
                }
            }
        }
    }

    /// <summary>
    /// Adds <paramref name="nodes"/> nodes (with their ranks and targets) after the existing ones, in state Up:
    /// hidden from PreRebuild and Current layouts, present in PostRebuild layouts, until
    /// <see cref="CompleteRebuild"/> makes them UpIn. Their ranks and targets are numbered after the existing ones.
    /// </summary>
    public PoolMap Extend(int nodes, int ranksPerNode, int targetsPerRank)
    {
        CheckShape(nodes, ranksPerNode, targetsPerRank, TargetComponents.Length);
        int version = NextVersion();
        var domains = new List<PoolComponent>(Domains.Length + nodes * (1 + ranksPerNode));
        var newRanks = new List<PoolComponent>();
        var targets = new List<PoolComponent>(TargetComponents);
        PoolComponent root = Domains[0];
        root.ChildCount += nodes;
        domains.Add(root);
        domains.AddRange(Domains.AsSpan(1, NodeCount));
        int firstNodeId = 0, firstRank = 0;
        for (int i = 1; i < Domains.Length; i++)
        {
            if (Domains[i].Type == ComponentType.Node)
            {
                firstNodeId = Math.Max(firstNodeId, Domains[i].Id + 1);
            }
            else
            {
                firstRank = Math.Max(firstRank, Domains[i].Id + 1);
            }
        }

        AppendNodes(domains, newRanks, targets, nodes, ranksPerNode, targetsPerRank, firstNodeId, firstRank, TargetStatus.Up, version);
        domains.AddRange(Domains.AsSpan(RankStart));
        domains.AddRange(newRanks);
        return new PoolMap(version, [.. domains], [.. targets]);
    }

    /// <summary>Marks a target failed (UpIn, Up or Drain -> Down); its failure sequence becomes the new version.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.NonExistent"/> for an unknown target;
    /// <see cref="DaosError.InvalidArgument"/> when it is already Down, DownOut or New.</exception>
    public PoolMap Exclude(int targetId)
    {
        PoolComponent t = Target(targetId);
        if (t.Status is not (TargetStatus.UpIn or TargetStatus.Up or TargetStatus.Drain))
        {
            ThrowHelper.InvalidArgument($"cannot exclude target {targetId}: it is {t.Status}");
        }

        int version = NextVersion();
        t.Status = TargetStatus.Down;
        t.Down2Up = false;
        t.Fseq = version;
        return WithTarget(version, t);
    }

    /// <summary>Starts emptying a healthy target (UpIn -> Drain); its failure sequence becomes the new version.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.NonExistent"/> for an unknown target;
    /// <see cref="DaosError.InvalidArgument"/> unless it is UpIn.</exception>
    public PoolMap Drain(int targetId)
    {
        PoolComponent t = Target(targetId);
        if (t.Status != TargetStatus.UpIn)
        {
            ThrowHelper.InvalidArgument($"cannot drain target {targetId}: it is {t.Status}, only an UpIn target can be drained");
        }

        int version = NextVersion();
        t.Status = TargetStatus.Drain;
        t.Fseq = version;
        return WithTarget(version, t);
    }

    /// <summary>
    /// Brings a failed target back (Down or DownOut -> Up). From Down its data is still in place and it is refilled
    /// where it stands; from DownOut it takes its shards back from the spares.
    /// </summary>
    /// <exception cref="DaosException"><see cref="DaosError.NonExistent"/> for an unknown target;
    /// <see cref="DaosError.InvalidArgument"/> unless it is Down or DownOut (reintegrating an UpIn target is refused, as in DAOS).</exception>
    public PoolMap Reintegrate(int targetId)
    {
        PoolComponent t = Target(targetId);
        if (t.Status is not (TargetStatus.Down or TargetStatus.DownOut))
        {
            ThrowHelper.InvalidArgument($"cannot reintegrate target {targetId}: it is {t.Status}, not Down or DownOut");
        }

        int version = NextVersion();
        t.Down2Up = t.Status == TargetStatus.Down;
        t.Status = TargetStatus.Up;
        t.InVersion = version;
        return WithTarget(version, t);
    }

    /// <summary>The id of target <paramref name="index"/> of engine <paramref name="rank"/>.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.NonExistent"/> when the rank or index is not in the map.</exception>
    public int TargetIdOf(int rank, int index)
    {
        int domain = RankDomain(rank);
        ref PoolComponent r = ref Domains[domain];
        if ((uint)index >= (uint)r.TargetCount)
        {
            ThrowHelper.Throw(DaosError.NonExistent, $"rank {rank} has no target {index} (it has {r.TargetCount})");
        }

        return r.FirstTarget + index;
    }

    /// <summary>Excludes every target of engine <paramref name="rank"/> that is UpIn, Up or Drain, in one new version.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.NonExistent"/> for an unknown rank;
    /// <see cref="DaosError.InvalidArgument"/> when none of its targets can be excluded.</exception>
    public PoolMap ExcludeRank(int rank) => ChangeRank(rank, "exclude", static (ref PoolComponent t, int version) =>
    {
        if (t.Status is not (TargetStatus.UpIn or TargetStatus.Up or TargetStatus.Drain))
        {
            return false;
        }

        t.Status = TargetStatus.Down;
        t.Down2Up = false;
        t.Fseq = version;
        return true;
    });

    /// <summary>Drains every UpIn target of engine <paramref name="rank"/>, in one new version.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.NonExistent"/> for an unknown rank;
    /// <see cref="DaosError.InvalidArgument"/> when none of its targets is UpIn.</exception>
    public PoolMap DrainRank(int rank) => ChangeRank(rank, "drain", static (ref PoolComponent t, int version) =>
    {
        if (t.Status != TargetStatus.UpIn)
        {
            return false;
        }

        t.Status = TargetStatus.Drain;
        t.Fseq = version;
        return true;
    });

    /// <summary>Reintegrates every Down or DownOut target of engine <paramref name="rank"/>, in one new version.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.NonExistent"/> for an unknown rank;
    /// <see cref="DaosError.InvalidArgument"/> when none of its targets is Down or DownOut.</exception>
    public PoolMap ReintegrateRank(int rank) => ChangeRank(rank, "reintegrate", static (ref PoolComponent t, int version) =>
    {
        if (t.Status is not (TargetStatus.Down or TargetStatus.DownOut))
        {
            return false;
        }

        t.Down2Up = t.Status == TargetStatus.Down;
        t.Status = TargetStatus.Up;
        t.InVersion = version;
        return true;
    });

    private delegate bool TargetChange(ref PoolComponent target, int version);

    private PoolMap ChangeRank(int rank, string verb, TargetChange change)
    {
        ref PoolComponent r = ref Domains[RankDomain(rank)];
        int version = NextVersion();
        PoolComponent[] targets = (PoolComponent[])TargetComponents.Clone();
        bool any = false;
        for (int i = r.FirstTarget; i < r.FirstTarget + r.TargetCount; i++)
        {
            any |= change(ref targets[i], version);
        }

        if (!any)
        {
            ThrowHelper.InvalidArgument($"cannot {verb} rank {rank}: none of its targets is in a state that allows it");
        }

        return new PoolMap(version, (PoolComponent[])Domains.Clone(), targets);
    }

    private int RankDomain(int rank)
    {
        for (int d = RankStart; d < Domains.Length; d++)
        {
            if (Domains[d].Id == rank)
            {
                return d;
            }
        }

        ThrowHelper.Throw(DaosError.NonExistent, $"rank {rank} is not in the pool map");
        return -1;
    }

    /// <summary>
    /// Records that the current rebuild or migration finished: Down and Drain targets become DownOut, Up
    /// components become UpIn. Returns this map unchanged when nothing is in transition.
    /// </summary>
    public PoolMap CompleteRebuild()
    {
        bool any = false;
        foreach (ref readonly PoolComponent t in TargetComponents.AsSpan())
        {
            any |= t.Status is TargetStatus.Down or TargetStatus.Drain or TargetStatus.Up;
        }

        foreach (ref readonly PoolComponent d in Domains.AsSpan())
        {
            any |= d.Status == TargetStatus.Up;
        }

        if (!any)
        {
            return this;
        }

        int version = NextVersion();
        PoolComponent[] domains = (PoolComponent[])Domains.Clone();
        PoolComponent[] targets = (PoolComponent[])TargetComponents.Clone();
        foreach (ref PoolComponent d in domains.AsSpan())
        {
            if (d.Status == TargetStatus.Up)
            {
                d.Status = TargetStatus.UpIn;
                d.InVersion = version;
            }
        }

        foreach (ref PoolComponent t in targets.AsSpan())
        {
            switch (t.Status)
            {
                case TargetStatus.Down or TargetStatus.Drain:
                    t.Status = TargetStatus.DownOut;
                    t.OutVersion = version;
                    break;
                case TargetStatus.Up:
                    t.Status = TargetStatus.UpIn;
                    t.Down2Up = false;
                    t.InVersion = version;
                    break;
            }
        }

        return new PoolMap(version, domains, targets);
    }

    private int NextVersion()
    {
        if (Version == int.MaxValue)
        {
            ThrowHelper.Throw(DaosError.InvalidArgument, "the pool map version cannot grow further");
        }

        return Version + 1;
    }

    private PoolComponent Target(int targetId)
    {
        if ((uint)targetId >= (uint)TargetComponents.Length)
        {
            ThrowHelper.Throw(DaosError.NonExistent, $"target {targetId} is not in the pool map (it has {TargetComponents.Length} targets)");
        }

        return TargetComponents[targetId];
    }

    private PoolMap WithTarget(int version, PoolComponent target)
    {
        PoolComponent[] targets = (PoolComponent[])TargetComponents.Clone();
        targets[target.Id] = target;
        return new PoolMap(version, (PoolComponent[])Domains.Clone(), targets);
    }

    /// <summary>The domain index (into <see cref="Domains"/>) of the rank that serves target <paramref name="targetIndex"/>.</summary>
    internal int RankDomainOf(int targetIndex)
    {
        int lo = RankStart, hi = Domains.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) >> 1;
            if (Domains[mid].FirstTarget <= targetIndex)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    /// <summary>The domain index of the node that holds target <paramref name="targetIndex"/>.</summary>
    internal int NodeDomainOf(int targetIndex)
    {
        int lo = 1, hi = NodeCount;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) >> 1;
            if (Domains[mid].FirstTarget <= targetIndex)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    /// <summary>The fault domain (a node or rank id) holding target <paramref name="targetId"/> at <paramref name="level"/>.</summary>
    public int FaultDomainOf(int targetId, FaultDomainLevel level)
    {
        _ = Target(targetId);
        return level == FaultDomainLevel.Node ? Domains[NodeDomainOf(targetId)].Id : Domains[RankDomainOf(targetId)].Id;
    }
}
