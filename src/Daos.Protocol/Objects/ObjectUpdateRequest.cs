namespace Daos.Protocol.Objects;

/// <summary>
/// Update several akeys of one dkey in one trip. <see cref="Epoch"/> 0 asks the target to stamp the update with
/// its engine's hybrid logical clock (DAOS's behaviour outside a transaction).
/// </summary>
/// <param name="Address">Pool, container, handle, map version, object.</param>
/// <param name="Epoch">The epoch to write at, or 0 for "stamp it".</param>
/// <param name="Condition">Insert-only or update-only, checked per akey.</param>
/// <param name="Dkey">The distribution key.</param>
/// <param name="Iods">The akeys and their data (1..<see cref="ProtocolLimits.IodsMax"/>).</param>
public sealed record ObjectUpdateRequest(ObjectAddress Address, Epoch Epoch, UpdateCondition Condition, ReadOnlyMemory<byte> Dkey,
    IReadOnlyList<IodUpdate> Iods) : IProtocolMessage<ObjectUpdateRequest>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        Address.Write(ref writer);
        writer.WriteUInt64(Epoch.Value);
        writer.WriteUInt8((byte)Condition);
        writer.WriteBytes(Dkey.Span);
        writer.WriteCount(Iods.Count);
        for (int i = 0; i < Iods.Count; i++)
        {
            Iods[i].Write(ref writer);
        }
    }

    /// <inheritdoc/>
    public static ObjectUpdateRequest Read(ref ProtocolReader reader)
    {
        ObjectAddress address = ObjectAddress.Read(ref reader);
        Epoch epoch = ObjectFields.ReadEpoch(ref reader);
        if (epoch == Epoch.Max)
        {
            throw new DaosException(DaosError.Protocol, "an update cannot be written at the maximum epoch");
        }

        var condition = (UpdateCondition)reader.ReadEnum((byte)UpdateCondition.UpdateOnly);
        ReadOnlyMemory<byte> dkey = ObjectFields.ReadKey(ref reader, "dkey");
        int count = reader.ReadCount(ProtocolLimits.IodsMax, IodUpdate.SizeBytesMin);
        if (count == 0)
        {
            throw new DaosException(DaosError.Protocol, "an update names no akey");
        }

        var iods = new IodUpdate[count];
        for (int i = 0; i < count; i++)
        {
            iods[i] = IodUpdate.Read(ref reader);
        }

        return new ObjectUpdateRequest(address, epoch, condition, dkey, iods);
    }
}
