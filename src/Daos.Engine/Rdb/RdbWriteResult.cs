namespace Daos.Engine.Rdb;

/// <summary>
/// The outcome of <see cref="RdbReplica.WriteAsync"/>: <see cref="DaosError.None"/> when committed and applied;
/// the transaction's own error (<see cref="DaosError.NonExistent"/>, <see cref="DaosError.Exists"/>,
/// <see cref="DaosError.InvalidArgument"/>) when committed but refused by the state machine, changing nothing;
/// <see cref="DaosError.NotLeader"/> with <see cref="LeaderHint"/> when not applied because this replica does not
/// lead; <see cref="DaosError.Busy"/> to retry later; <see cref="DaosError.TxUncertain"/> when leadership was lost
/// or time ran out before the outcome was known (the transaction may or may not have been applied).
/// </summary>
/// <param name="Status">The outcome.</param>
/// <param name="Index">The log index of the transaction (0 when it was never appended).</param>
/// <param name="LeaderHint">The leader this replica knows of (0 for none), for <see cref="DaosError.NotLeader"/>.</param>
public readonly record struct RdbWriteResult(DaosError Status, ulong Index, ulong LeaderHint)
{
    /// <summary>True when the transaction was applied.</summary>
    public bool IsCommitted => Status == DaosError.None;
}
