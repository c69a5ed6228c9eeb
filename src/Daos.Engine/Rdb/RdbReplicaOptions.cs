using Daos.Engine.Rdb.Raft;
using Daos.Transport;

namespace Daos.Engine.Rdb;

/// <summary>Settings of one <see cref="RdbReplica"/>.</summary>
public sealed record RdbReplicaOptions
{
    /// <summary>Identifies the replica group; messages of another group are refused (for example a pool's id hashed).</summary>
    public required ulong GroupId { get; init; }

    /// <summary>Raft settings, including this replica's id.</summary>
    public required RaftOptions Raft { get; init; }

    /// <summary>Where each replica of the group listens, by replica id (this one included).</summary>
    public required IReadOnlyDictionary<ulong, TransportAddress> Addresses { get; init; }

    /// <summary>The founding voters when this replica founds a new group; null for a replica added later. Ignored once a log exists.</summary>
    public RaftConfiguration? InitialConfiguration { get; init; }

    /// <summary>Wall time per Raft tick.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>RPC opcode of Raft messages.</summary>
    public ushort RaftOpcode { get; init; } = RdbReplica.DefaultRaftOpcode;

    /// <summary>RPC target the replica's messages are addressed to (the engine target that hosts RDB).</summary>
    public uint Target { get; init; }

    /// <summary>Take a snapshot and compact the log after this many applied entries.</summary>
    public int SnapshotIntervalEntries { get; init; } = 10_000;

    /// <summary>Ticks a write or read may wait for its outcome before it is answered (writes: uncertain; reads: timeout).</summary>
    public int RequestTimeoutTicks { get; init; } = 500;
}
