namespace Daos.Engine.Rdb.Raft;

/// <summary>
/// The state a replica must make durable before it sends any message that depends on it: the current term, the
/// vote cast in it and the commit index.
/// </summary>
/// <param name="Term">The latest term this replica has seen.</param>
/// <param name="Vote">The replica voted for in <paramref name="Term"/>, or 0.</param>
/// <param name="Commit">The highest index known committed (persisting it is an optimisation, not a safety need).</param>
public readonly record struct HardState(ulong Term, ulong Vote, ulong Commit)
{
    /// <summary>True for the state of a replica that has never run.</summary>
    public bool IsEmpty => Term == 0 && Vote == 0 && Commit == 0;

    /// <inheritdoc/>
    public override string ToString() => $"term={Term} vote={Vote} commit={Commit}";
}
