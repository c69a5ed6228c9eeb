namespace Daos.Engine.Rdb.Raft;

/// <summary>
/// The voters of a replica group: one set, or two during joint consensus (<see cref="OutgoingVoters"/> non-empty),
/// when every decision needs a majority of each. Immutable.
/// </summary>
public sealed class RaftConfiguration : IEquatable<RaftConfiguration>
{
    private readonly ulong[] _voters;
    private readonly ulong[] _outgoing;

    /// <summary>Creates a configuration of <paramref name="voters"/> (and, when joint, <paramref name="outgoingVoters"/>).</summary>
    public RaftConfiguration(IEnumerable<ulong> voters, IEnumerable<ulong>? outgoingVoters = null)
    {
        ArgumentNullException.ThrowIfNull(voters);
        _voters = Normalise(voters);
        _outgoing = outgoingVoters is null ? [] : Normalise(outgoingVoters);
    }

    /// <summary>The configuration with no voters (a replica that has not yet learned its group).</summary>
    public static RaftConfiguration Empty { get; } = new([]);

    /// <summary>The voters, ascending (the incoming set during joint consensus).</summary>
    public IReadOnlyList<ulong> Voters => _voters;

    /// <summary>The voters of the configuration being left, ascending; empty unless joint.</summary>
    public IReadOnlyList<ulong> OutgoingVoters => _outgoing;

    /// <summary>True during joint consensus.</summary>
    public bool IsJoint => _outgoing.Length > 0;

    /// <summary>True when <paramref name="replicaId"/> votes in either set.</summary>
    public bool IsVoter(ulong replicaId) =>
        Array.BinarySearch(_voters, replicaId) >= 0 || Array.BinarySearch(_outgoing, replicaId) >= 0;

    /// <summary>Every voter of either set, ascending, each once.</summary>
    public IReadOnlyList<ulong> AllVoters() => _outgoing.Length == 0 ? _voters : Normalise(_voters.Concat(_outgoing));

    /// <summary>
    /// The configuration after <paramref name="change"/>, or null when the change does not apply to this one
    /// (joint change while joint, leaving while not joint, a single change that is not exactly one voter's, or a
    /// result with no voters). Replicas apply the same committed entries in the same order, so they all agree.
    /// </summary>
    public RaftConfiguration? TryApply(ConfigChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        switch (change.Kind)
        {
            case ConfigChangeKind.Single:
            {
                if (IsJoint)
                {
                    return null;
                }

                var next = new SortedSet<ulong>(_voters);
                bool changed = change.Added.Count == 1 ? next.Add(change.Added[0]) : next.Remove(change.Removed[0]);
                return changed && next.Count > 0 ? new RaftConfiguration(next) : null;
            }

            case ConfigChangeKind.EnterJoint:
            {
                if (IsJoint)
                {
                    return null;
                }

                var next = new SortedSet<ulong>(_voters);
                foreach (ulong id in change.Added)
                {
                    next.Add(id);
                }

                foreach (ulong id in change.Removed)
                {
                    next.Remove(id);
                }

                return next.Count > 0 ? new RaftConfiguration(next, _voters) : null;
            }

            case ConfigChangeKind.Bootstrap:
                return _voters.Length == 0 && _outgoing.Length == 0 ? new RaftConfiguration(change.Added) : null;

            default:
                return IsJoint ? new RaftConfiguration(_voters) : null;
        }
    }

    /// <inheritdoc/>
    public bool Equals(RaftConfiguration? other) =>
        other is not null && _voters.AsSpan().SequenceEqual(other._voters) && _outgoing.AsSpan().SequenceEqual(other._outgoing);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as RaftConfiguration);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        ulong hash = 17;
        foreach (ulong id in _voters)
        {
            hash = (hash * 31) + id;
        }

        foreach (ulong id in _outgoing)
        {
            hash = (hash * 37) + id;
        }

        return (int)hash ^ (int)(hash >> 32);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        IsJoint ? $"({string.Join(" ", _voters)})&&({string.Join(" ", _outgoing)})" : $"({string.Join(" ", _voters)})";

    private static ulong[] Normalise(IEnumerable<ulong> ids)
    {
        var set = new SortedSet<ulong>();
        foreach (ulong id in ids)
        {
            if (id == 0)
            {
                ThrowHelper.InvalidArgument("replica id 0 is reserved for 'none'");
            }

            set.Add(id);
        }

        return [.. set];
    }
}
