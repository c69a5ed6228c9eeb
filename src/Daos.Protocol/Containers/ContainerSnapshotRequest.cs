namespace Daos.Protocol.Containers;

/// <summary>
/// Create, list or destroy snapshots. For Create, <see cref="Epoch"/> is the highest epoch the client has seen
/// (its writes' epochs): the service advances its clock past it first, so the snapshot covers every write the
/// client saw acknowledged. For Destroy it names the snapshot.
/// </summary>
/// <param name="Pool">The pool uuid.</param>
/// <param name="Handle">The container handle (read-write for Create and Destroy).</param>
/// <param name="Operation">What to do.</param>
/// <param name="Name">Create: an optional name.</param>
/// <param name="Epoch">See above; 0 for List.</param>
/// <param name="Key">Create and Destroy: the call's operation key (version 3), the same on every retry; none for List.</param>
public sealed record ContainerSnapshotRequest(Guid Pool, Guid Handle, SnapshotOperation Operation, string Name, Epoch Epoch,
    OperationKey Key = default)
    : IProtocolMessage<ContainerSnapshotRequest>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteGuid(Pool);
        writer.WriteGuid(Handle);
        writer.WriteUInt8((byte)Operation);
        writer.WriteString(Name);
        writer.WriteUInt64(Epoch.Value);
        Key.Write(ref writer);
    }

    /// <inheritdoc/>
    public static ContainerSnapshotRequest Read(ref ProtocolReader reader)
    {
        Guid pool = reader.ReadGuid();
        Guid handle = reader.ReadGuid();
        var operation = (SnapshotOperation)reader.ReadEnum((byte)SnapshotOperation.Destroy, (byte)SnapshotOperation.Create);
        string name = reader.ReadString(ProtocolLimits.LabelBytesMax);
        var epoch = new Epoch(reader.ReadUInt64());
        OperationKey key = OperationKey.Read(ref reader);
        if ((operation != SnapshotOperation.Create && name.Length != 0) || (operation == SnapshotOperation.Destroy && !epoch.IsValidForUpdate)
            || (operation == SnapshotOperation.List && !key.IsNone))
        {
            throw new DaosException(DaosError.Protocol, $"snapshot {operation} with the wrong fields");
        }

        return new ContainerSnapshotRequest(pool, handle, operation, name, epoch, key);
    }
}
