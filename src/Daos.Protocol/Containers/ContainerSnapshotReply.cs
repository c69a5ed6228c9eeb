namespace Daos.Protocol.Containers;

/// <summary>The reply to a snapshot request: Create answers the new snapshot, List every snapshot in epoch order.</summary>
/// <param name="Snapshots">The snapshots.</param>
public sealed record ContainerSnapshotReply(IReadOnlyList<SnapshotEntry> Snapshots) : IProtocolMessage<ContainerSnapshotReply>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteCount(Snapshots.Count);
        foreach (SnapshotEntry snapshot in Snapshots)
        {
            writer.WriteUInt64(snapshot.Epoch.Value);
            writer.WriteString(snapshot.Name);
        }
    }

    /// <inheritdoc/>
    public static ContainerSnapshotReply Read(ref ProtocolReader reader)
    {
        int count = reader.ReadCount(ProtocolLimits.ListEntriesMax, 8 + 2);
        var snapshots = new SnapshotEntry[count];
        for (int i = 0; i < count; i++)
        {
            snapshots[i] = new SnapshotEntry(new Epoch(reader.ReadUInt64()), reader.ReadString(ProtocolLimits.LabelBytesMax));
        }

        return new ContainerSnapshotReply(snapshots);
    }
}
