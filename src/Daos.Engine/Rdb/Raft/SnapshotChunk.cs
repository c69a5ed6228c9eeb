namespace Daos.Engine.Rdb.Raft;

/// <summary>
/// One piece of a snapshot streamed from a leader to a lagging follower. Every chunk names the whole snapshot
/// (index, term, configuration, total size, checksum) so a receiver can tell a retransmission from a new snapshot.
/// </summary>
public sealed class SnapshotChunk
{
    /// <summary>Creates a chunk.</summary>
    public SnapshotChunk(ulong snapshotIndex, ulong snapshotTerm, RaftConfiguration configuration, long totalSizeBytes,
        ulong checksum, long offsetBytes, ReadOnlyMemory<byte> data)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        SnapshotIndex = snapshotIndex;
        SnapshotTerm = snapshotTerm;
        Configuration = configuration;
        TotalSizeBytes = totalSizeBytes;
        Checksum = checksum;
        OffsetBytes = offsetBytes;
        Data = data;
    }

    /// <summary>The snapshot's last included index.</summary>
    public ulong SnapshotIndex { get; }

    /// <summary>The term of the entry at <see cref="SnapshotIndex"/>.</summary>
    public ulong SnapshotTerm { get; }

    /// <summary>The configuration in force at <see cref="SnapshotIndex"/>.</summary>
    public RaftConfiguration Configuration { get; }

    /// <summary>Size of the whole snapshot image.</summary>
    public long TotalSizeBytes { get; }

    /// <summary>CRC-64 of the whole image, checked once the last chunk has arrived.</summary>
    public ulong Checksum { get; }

    /// <summary>Where <see cref="Data"/> starts in the image.</summary>
    public long OffsetBytes { get; }

    /// <summary>The bytes of this chunk.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>True when this chunk ends the image.</summary>
    public bool IsLast => OffsetBytes + Data.Length == TotalSizeBytes;
}
