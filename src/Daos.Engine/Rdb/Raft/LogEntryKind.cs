namespace Daos.Engine.Rdb.Raft;

/// <summary>What a <see cref="LogEntry"/> carries.</summary>
public enum LogEntryKind : byte
{
    /// <summary>Application data (empty for the entry a new leader appends to commit its term).</summary>
    Normal = 0,

    /// <summary>An encoded <see cref="ConfigChange"/>; takes effect when the entry is applied.</summary>
    ConfigChange = 1,
}
