using Daos.Placement.Hashing;
using Daos.Placement.Map;

namespace Daos.Placement.Layout;

/// <summary>
/// Computes one jump-map layout (layout version 2, or 1 on request): the scratch bitmaps and the walk of REFERENCE.md 3.4-3.5.
/// One instance per thread is cached and reused so that a layout allocates only its result.
/// </summary>
/// <remarks>Not thread-safe: an instance belongs to the thread that rented it until it is returned.</remarks>
internal sealed class LayoutBuilder
{
    [ThreadStatic]
    private static LayoutBuilder? t_cached;

    private const int StackDepthMax = 5;

    private PoolComponent[] _doms = [];
    private PoolComponent[] _tgts = [];
    private int _allowVersion;
    private LayoutMode _mode;
    private ComponentType _fdom;
    private int _layoutVersion = 2;

    private ulong[] _domUsed = [];
    private ulong[] _domFull = [];
    private ulong[] _tgtsUsed = [];
    private ulong[] _domSkip = [];
    private ulong[] _tgtSkip = [];
    private bool _anySkip;

    // Per-group "used by this group" / "really holds a healthy shard of this group" bitmaps. A group whose shards
    // need remapping keeps its pair for the remap pass, so pairs come from a pool that grows as needed.
    private readonly List<ulong[]> _groupBits = [];
    private int _groupBitsNext;

    private FailedShard[] _failed = new FailedShard[16];
    private int _failedCount;

    private struct FailedShard
    {
        public int Shard;
        public int Fseq;
        public RemapFlags Flags;
        public int BitsIndex;
        public int Attempts;
    }

    public static LayoutBuilder Rent()
    {
        LayoutBuilder? b = t_cached;
        t_cached = null;
        return b ?? new LayoutBuilder();
    }

    public static void Return(LayoutBuilder builder)
    {
        builder._doms = [];
        builder._tgts = [];
        t_cached = builder;
    }

    /// <summary>
    /// Fills <paramref name="shards"/> (group-major, <paramref name="groupCount"/> x <paramref name="groupSize"/>)
    /// and returns whether some shard has a peer being filled (the Current layout must then be extended).
    /// </summary>
    public bool Compute(PoolMap map, ObjectId oid, LayoutMode mode, FaultDomainLevel level, int allowVersion,
        int groupSize, int groupCount, ShardPlacement[] shards, int layoutVersion = 2)
    {
        Prepare(map, mode, level, allowVersion);
        _layoutVersion = layoutVersion;
        ulong key = layoutVersion == 1 ? oid.Hi ^ oid.Lo : PlacementHash.ObjectKey(oid);
        bool hasPeer = false;
        _failedCount = 0;
        _groupBitsNext = 0;
        for (int g = 0, k = 0; g < groupCount; g++)
        {
            int bitsIndex = TakeGroupBits();
            ulong[] used = _groupBits[bitsIndex], real = _groupBits[bitsIndex + 1];
            bool groupFailed = false;
            for (int j = 0; j < groupSize; j++, k++)
            {
                int t = GetTarget(key, k, used, real, out int dom);
                ref PoolComponent target = ref _tgts[t];
                RemapFlags flags = RemapFlags.None;
                bool remap = RemapRules.NeedRemap(target, _allowVersion, _mode, ref flags);
                shards[k] = Placement(k, t, target.Fseq, remap ? RemapFlags.None : flags);
                if (remap)
                {
                    Enqueue(new FailedShard { Shard = k, Fseq = target.Fseq, Flags = flags, BitsIndex = bitsIndex });
                    groupFailed = true;
                }
                else
                {
                    hasPeer |= (flags & RemapFlags.HasPeer) != 0;
                    Bits.Set(real, dom);
                }
            }

            if (!groupFailed)
            {
                _groupBitsNext -= 2; // nobody needs this pair after the group: reuse it
            }
        }

        if (_failedCount > 0)
        {
            hasPeer |= RemapShards(oid, shards);
        }

        return hasPeer;
    }

    private void Prepare(PoolMap map, LayoutMode mode, FaultDomainLevel level, int allowVersion)
    {
        _doms = map.Domains;
        _tgts = map.TargetComponents;
        _mode = mode;
        _allowVersion = allowVersion;
        _fdom = level == FaultDomainLevel.Node ? ComponentType.Node : ComponentType.Rank;
        int domWords = Bits.WordsFor(_doms.Length);
        int tgtWords = Bits.WordsFor(_tgts.Length);
        Reset(ref _domUsed, domWords);
        Reset(ref _domFull, domWords);
        Reset(ref _tgtsUsed, tgtWords);
        _anySkip = map.HasSkippable;
        if (_anySkip)
        {
            Reset(ref _domSkip, domWords);
            Reset(ref _tgtSkip, tgtWords);
            for (int i = 0; i < _doms.Length; i++)
            {
                if (RemapRules.IsSkipped(_doms[i], allowVersion, mode))
                {
                    Bits.Set(_domSkip, i);
                }
            }

            for (int i = 0; i < _tgts.Length; i++)
            {
                if (RemapRules.IsSkipped(_tgts[i], allowVersion, mode))
                {
                    Bits.Set(_tgtSkip, i);
                }
            }
        }
    }

    private static void Reset(ref ulong[] bits, int words)
    {
        if (bits.Length < words)
        {
            bits = new ulong[Math.Max(words, bits.Length * 2)];
        }
        else
        {
            Array.Clear(bits, 0, words);
        }
    }

    private int TakeGroupBits()
    {
        int index = _groupBitsNext;
        int words = Bits.WordsFor(_doms.Length);
        for (int i = 0; i < 2; i++)
        {
            if (_groupBits.Count <= index + i)
            {
                _groupBits.Add(new ulong[words]);
            }
            else if (_groupBits[index + i].Length < words)
            {
                _groupBits[index + i] = new ulong[words];
            }
            else
            {
                Array.Clear(_groupBits[index + i], 0, words);
            }
        }

        _groupBitsNext += 2;
        return index;
    }

    private ShardPlacement Placement(int shard, int target, int fseq, RemapFlags flags) =>
        new(shard, target, _tgts[target].Rank, (flags & RemapFlags.Rebuilding) != 0, (flags & RemapFlags.Reintegrating) != 0)
        {
            FailureSequence = fseq,
        };

    // ---- failure remap (REFERENCE.md 3.5) ----

    /// <summary>Queues a failed shard in (fseq, shard) order; equal fseqs keep arrival order.</summary>
    private void Enqueue(FailedShard f)
    {
        if (_failedCount == _failed.Length)
        {
            Array.Resize(ref _failed, _failed.Length * 2);
        }

        int at = _failedCount;
        while (at > 0 && _failed[at - 1].Fseq > f.Fseq)
        {
            _failed[at] = _failed[at - 1];
            at--;
        }

        _failed[at] = f;
        _failedCount++;
    }

    private void DequeueHead()
    {
        Array.Copy(_failed, 1, _failed, 0, _failedCount - 1);
        _failedCount--;
    }

    private bool RemapShards(ObjectId oid, ShardPlacement[] shards)
    {
        ulong rebuildKey = PlacementHash.RebuildKey(oid);
        ulong legacyKey = oid.Hi ^ oid.Lo;
        bool hasPeer = false;
        int attemptsMax = 4 * (_tgts.Length + 4);
        while (_failedCount > 0)
        {
            ref FailedShard f = ref _failed[0];
            ulong[] used = _groupBits[f.BitsIndex], real = _groupBits[f.BitsIndex + 1];
            if (++f.Attempts > attemptsMax)
            {
                // Every candidate failed before this shard did: nowhere to put it (cannot happen while one
                // target of the map can hold data; kept as a bound on the loop).
                shards[f.Shard] = new ShardPlacement(-1, -1, -1, false, false);
                DequeueHead();
                continue;
            }

            ulong spareKey = _layoutVersion == 1
                ? PlacementHash.Crc(legacyKey, (uint)PlacementHash.Crc(legacyKey, (uint)f.Shard))
                : rebuildKey;
            int spare = GetTarget(spareKey, f.Shard, used, real, out int dom);
            ref PoolComponent s = ref _tgts[spare];
            if (RemapRules.NeedRemap(s, _allowVersion, _mode, ref f.Flags))
            {
                if (s.Fseq > _allowVersion)
                {
                    // The spare fails later than this layout's version: the rebuild for that version handles it.
                    shards[f.Shard] = new ShardPlacement(-1, -1, -1, false, false);
                    DequeueHead();
                }
                else if (s.Fseq > f.Fseq)
                {
                    // The spare failed after the shard's target: the shard lived on the spare meanwhile, so it
                    // is remapped again in the spare's turn.
                    FailedShard moved = f;
                    moved.Fseq = s.Fseq;
                    DequeueHead();
                    Enqueue(moved);
                }

                // Otherwise the spare failed earlier than the shard's target: try the next spare.
                continue;
            }

            shards[f.Shard] = Placement(f.Shard, spare, f.Fseq, f.Flags);
            hasPeer |= (f.Flags & RemapFlags.HasPeer) != 0;
            Bits.Set(real, dom);
            DequeueHead();
        }

        return hasPeer;
    }

    // ---- target selection (REFERENCE.md 3.4, 3.4.1) ----

    /// <summary>Finds a target for <paramref name="shard"/>, relaxing the bookkeeping until one is found.</summary>
    private int GetTarget(ulong key, int shard, ulong[] groupUsed, ulong[] groupReal, out int dom)
    {
        int resetsMax = 4 * (_doms.Length + _tgts.Length);
        for (int attempt = 0; attempt < resetsMax; attempt++)
        {
            int t = GetTargetV2(key, shard, groupUsed, out dom);
            if (t >= 0)
            {
                return t;
            }

            ResetCurrentGroup(groupUsed, groupReal);
        }

        // Unreachable for maps built by PoolMap: the resets above always free a target eventually.
        throw new InvalidOperationException($"placement found no target for shard {shard}");
    }

    private bool Skipped(int domain) => _anySkip && Bits.IsSet(_domSkip, domain);

    private bool TargetSkipped(int target) => _anySkip && Bits.IsSet(_tgtSkip, target);

    private ulong[]? DomSkip => _anySkip ? _domSkip : null;

    private ulong[]? TgtSkip => _anySkip ? _tgtSkip : null;

    /// <summary>Children (domains, or targets at the fault-domain level) after dropping trailing hidden ones.</summary>
    private int AvailableChildren(int domain)
    {
        ref PoolComponent d = ref _doms[domain];
        if (d.Type == _fdom || d.Type == ComponentType.Rank)
        {
            int n = d.TargetCount;
            while (n - 1 > 0 && TargetSkipped(d.FirstTarget + n - 1))
            {
                n--;
            }

            return n;
        }
        else
        {
            int n = d.ChildCount;
            while (n - 1 > 0 && Skipped(d.FirstChild + n - 1))
            {
                n--;
            }

            return n;
        }
    }

    private bool TargetsAllUsed(in PoolComponent d) =>
        Bits.AllSet(_tgtsUsed, null, TgtSkip, d.FirstTarget, d.FirstTarget + d.TargetCount - 1);

    private bool ChildrenAllFull(in PoolComponent d) =>
        Bits.AllSet(_domFull, null, DomSkip, d.FirstChild, d.FirstChild + d.ChildCount - 1);

    /// <summary>One walk from the root down to a target; -1 when the bookkeeping leaves no candidate.</summary>
    private int GetTargetV2(ulong objKey, int shard, ulong[] groupUsed, out int dom)
    {
        Span<int> stack = stackalloc int[StackDepthMax];
        int top = -1;
        int current = 0;
        dom = -1;
        bool legacy = _layoutVersion == 1;
        if (legacy)
        {
            objKey = PlacementHash.Crc(objKey, (uint)shard);
        }

        while (true)
        {
            ref PoolComponent d = ref _doms[current];
            int children = AvailableChildren(current);
            if (d.Type == _fdom)
            {
                int start = d.FirstTarget;
                if (TargetsAllUsed(d))
                {
                    if (top == -1)
                    {
                        return -1;
                    }

                    current = stack[top--];
                    continue;
                }

                uint failNum = 0;
                int selected;
                if (legacy)
                {
                    objKey = PlacementHash.Crc(objKey, failNum++);
                    selected = PlacementHash.Jump(objKey, children);
                }
                else
                {
                    selected = PlacementHash.Jump(PlacementHash.JmCrc(objKey, (ulong)shard, failNum++), children);
                }

                int target;
                do
                {
                    selected %= children;
                    target = start + selected;
                    selected++;
                }
                while (Bits.IsSet(_tgtsUsed, target));

                Bits.Set(_tgtsUsed, target);
                if (TargetsAllUsed(d))
                {
                    Bits.Set(_domFull, current);
                    while (top != -1)
                    {
                        int parent = stack[top--];
                        if (ChildrenAllFull(_doms[parent]))
                        {
                            Bits.Set(_domFull, parent);
                        }
                    }
                }

                dom = current;
                return target;
            }
            else
            {
                int start = d.FirstChild, end = d.FirstChild + d.ChildCount - 1;
                if (ChildrenAllFull(d))
                {
                    if (top == -1)
                    {
                        return -1;
                    }

                    Bits.Set(_domFull, current);
                    Bits.Set(groupUsed, current);
                    current = stack[top--];
                    continue;
                }

                if (Bits.AllSet(_domFull, groupUsed, DomSkip, start, end))
                {
                    if (top == -1)
                    {
                        return -1;
                    }

                    Bits.Set(groupUsed, current);
                    current = stack[top--];
                    continue;
                }

                if (Bits.AllSet(_domUsed, groupUsed, DomSkip, start, end))
                {
                    // Every child already serves this object or this group: let the object reuse the ones
                    // that still have room, and walk down again.
                    for (int i = start; i <= end; i++)
                    {
                        if (!Bits.IsSet(_domFull, i))
                        {
                            Bits.Clear(_domUsed, i);
                        }
                    }

                    current = top == -1 ? 0 : stack[top--];
                    continue;
                }

                uint failNum = 0;
                int selected;
                ulong legacyKey = objKey;
                do
                {
                    if (legacy)
                    {
                        selected = start + PlacementHash.Jump(legacyKey, children);
                        legacyKey = PlacementHash.Crc(legacyKey, failNum++);
                    }
                    else
                    {
                        selected = start + PlacementHash.Jump(PlacementHash.JmCrc(objKey, (ulong)shard, failNum++), children);
                    }
                }
                while (Bits.IsSet(_domUsed, selected) || Bits.IsSet(groupUsed, selected));

                Bits.Set(_domUsed, selected);
                Bits.Set(groupUsed, selected);
                stack[++top] = current;
                current = selected;
                objKey = legacy
                    ? PlacementHash.Crc(objKey, (uint)_doms[current].Id)
                    : PlacementHash.JmCrc(objKey, (ulong)(uint)_doms[current].Id, PlacementHash.JmSeed);
            }
        }
    }

    /// <summary>
    /// Relaxes the bookkeeping after a walk found nothing (DAOS's <c>dom_reset_cur_grp</c>): first let full
    /// domains be reused by the object, then let domains whose pick failed be retried, and finally let one group
    /// put several shards in one domain.
    /// </summary>
    private void ResetCurrentGroup(ulong[] groupUsed, ulong[] groupReal)
    {
        int tree = 0;
        int count = 1;
        while (tree >= 0 && _doms[tree].Type >= _fdom)
        {
            int start = tree, end = tree + count - 1;
            if (_doms[tree].Type > _fdom)
            {
                int next = 0;
                for (int i = start; i <= end; i++)
                {
                    if (_doms[i].Type != ComponentType.Rank)
                    {
                        next += _doms[i].ChildCount;
                    }

                    Bits.Clear(groupUsed, i);
                    Bits.Clear(_domFull, i);
                }

                count = next;
                tree = _doms[tree].Type == ComponentType.Rank ? -1 : _doms[tree].FirstChild;
                continue;
            }

            // At the fault-domain level. (a) Some domain is neither full nor used by this group: nothing to do.
            if (!Bits.AllSet(_domFull, groupUsed, DomSkip, start, end))
            {
                break;
            }

            // (b) Domains this group has not used are full: let the object reuse their targets.
            if (!Bits.AllSet(groupUsed, null, DomSkip, start, end))
            {
                for (int i = start; i <= end; i++)
                {
                    if (!Bits.IsSet(groupUsed, i) && Bits.IsSet(_domFull, i))
                    {
                        ResetFull(i);
                    }
                }

                break;
            }

            // (c) Domains picked for this group whose target was unavailable, with targets still unused.
            bool reset = false;
            for (int i = start; i <= end; i++)
            {
                if (!Bits.IsSet(groupReal, i) && !TargetsAllUsed(_doms[i]))
                {
                    ResetBit(i, groupUsed);
                    reset = true;
                }
            }

            if (reset)
            {
                break;
            }

            // (d) Such domains that still hold a healthy target: reopen them entirely.
            for (int i = start; i <= end; i++)
            {
                if (!Bits.IsSet(groupReal, i) && HasHealthyTarget(_doms[i]))
                {
                    ResetFull(i);
                    ResetBit(i, groupUsed);
                    reset = true;
                }
            }

            if (reset)
            {
                break;
            }

            // (e) Let shards of one group share a domain.
            bool resetFull = Bits.AllSet(_domFull, null, DomSkip, start, end);
            for (int i = start; i <= end; i++)
            {
                if (resetFull)
                {
                    ResetFull(i);
                }

                ResetBit(i, groupUsed);
            }

            break;
        }
    }

    private bool HasHealthyTarget(in PoolComponent d)
    {
        for (int i = 0; i < d.TargetCount; i++)
        {
            RemapFlags ignored = RemapFlags.None;
            if (!RemapRules.NeedRemap(_tgts[d.FirstTarget + i], _allowVersion, _mode, ref ignored))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Clears <paramref name="bits"/> for a domain and, level by level, below it while the whole level range is
    /// set (DAOS's <c>dom_reset_bit</c>, including its quirk: every level's width is taken from the starting
    /// domain's child count, and only the first leaf-level domain is cleared). Layouts diverge from DAOS's
    /// without the quirk once targets run short.
    /// </summary>
    private void ResetBit(int domain, ulong[] bits)
    {
        int tree = domain;
        int count = 1;
        while (tree >= 0)
        {
            int start = tree, end = tree + count - 1;
            int next = 0;
            bool hasChildDomains = _doms[tree].Type != ComponentType.Rank;
            if (hasChildDomains)
            {
                if (!Bits.AllSet(bits, null, DomSkip, start, end))
                {
                    return;
                }

                for (int i = 0; i < count; i++)
                {
                    Bits.Clear(bits, start + i);
                    next += _doms[domain].ChildCount;
                }
            }
            else
            {
                Bits.Clear(bits, start);
            }

            count = next;
            tree = hasChildDomains ? _doms[tree].FirstChild : -1;
        }
    }

    /// <summary>Clears a domain's full bits and, when every target under it is taken, its targets' used bits.</summary>
    private void ResetFull(int domain)
    {
        ResetBit(domain, _domFull);
        ref PoolComponent d = ref _doms[domain];
        int end = d.FirstTarget + d.TargetCount;
        for (int t = d.FirstTarget; t < end; t++)
        {
            if (!Bits.IsSet(_tgtsUsed, t))
            {
                return;
            }
        }

        for (int t = d.FirstTarget; t < end; t++)
        {
            Bits.Clear(_tgtsUsed, t);
        }
    }
}
