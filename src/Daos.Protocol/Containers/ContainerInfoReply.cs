namespace Daos.Protocol.Containers;

/// <summary>A container's identity and state.</summary>
/// <param name="Uuid">The container uuid.</param>
/// <param name="Label">The container label.</param>
/// <param name="Properties">Every property.</param>
/// <param name="Snapshots">How many snapshots it has.</param>
/// <param name="Handles">How many handles are open.</param>
/// <param name="NextOid">The lowest object id number not yet allocated.</param>
public sealed record ContainerInfoReply(Guid Uuid, string Label, IReadOnlyList<ContainerProperty> Properties, int Snapshots, int Handles, ulong NextOid)
    : IProtocolMessage<ContainerInfoReply>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteGuid(Uuid);
        writer.WriteString(Label);
        ContainerProperty.WriteList(ref writer, Properties);
        writer.WriteInt32(Snapshots);
        writer.WriteInt32(Handles);
        writer.WriteUInt64(NextOid);
    }

    /// <inheritdoc/>
    public static ContainerInfoReply Read(ref ProtocolReader reader)
    {
        Guid uuid = reader.ReadGuid();
        string label = Fields.ReadLabel(ref reader);
        ContainerProperty[] properties = ContainerProperty.ReadList(ref reader);
        int snapshots = reader.ReadInt32();
        int handles = reader.ReadInt32();
        if (snapshots < 0 || handles < 0)
        {
            throw new DaosException(DaosError.Protocol, "container info with a negative count");
        }

        return new ContainerInfoReply(uuid, label, properties, snapshots, handles, reader.ReadUInt64());
    }
}
