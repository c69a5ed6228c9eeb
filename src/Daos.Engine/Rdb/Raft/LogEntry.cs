namespace Daos.Engine.Rdb.Raft;

/// <summary>One entry of the replicated log.</summary>
/// <param name="Index">Position in the log, from 1.</param>
/// <param name="Term">Term of the leader that created the entry.</param>
/// <param name="Kind">Whether the entry carries application data or a configuration change.</param>
/// <param name="Data">The payload; owned by the log once proposed and never mutated.</param>
public readonly record struct LogEntry(ulong Index, ulong Term, LogEntryKind Kind, ReadOnlyMemory<byte> Data)
{
    /// <summary>Bytes this entry counts against message and proposal budgets.</summary>
    public int SizeBytes => Data.Length + 17;

    /// <inheritdoc/>
    public override string ToString() => $"{Index}/{Term}{(Kind == LogEntryKind.ConfigChange ? " conf" : "")}";
}
