namespace Daos.Protocol.Objects;

/// <summary>Punch an object, a dkey, an akey or a range of records, at <see cref="Epoch"/> (0: stamped by the target).</summary>
/// <param name="Address">Pool, container, handle, map version, object.</param>
/// <param name="Epoch">The epoch, or 0 for "stamp it".</param>
/// <param name="Kind">What to punch.</param>
/// <param name="Dkey">The dkey (empty for an object punch).</param>
/// <param name="Akey">The akey (akey and extent punches).</param>
/// <param name="Records">The records (extent punches).</param>
public sealed record ObjectPunchRequest(ObjectAddress Address, Epoch Epoch, PunchKind Kind, ReadOnlyMemory<byte> Dkey,
    ReadOnlyMemory<byte> Akey, Extent Records) : IProtocolMessage<ObjectPunchRequest>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        Address.Write(ref writer);
        writer.WriteUInt64(Epoch.Value);
        writer.WriteUInt8((byte)Kind);
        writer.WriteBytes(Dkey.Span);
        writer.WriteBytes(Akey.Span);
        writer.WriteExtent(Records);
    }

    /// <inheritdoc/>
    public static ObjectPunchRequest Read(ref ProtocolReader reader)
    {
        ObjectAddress address = ObjectAddress.Read(ref reader);
        Epoch epoch = ObjectFields.ReadEpoch(ref reader);
        if (epoch == Epoch.Max)
        {
            throw new DaosException(DaosError.Protocol, "a punch cannot be written at the maximum epoch");
        }

        var kind = (PunchKind)reader.ReadEnum((byte)PunchKind.Extents, (byte)PunchKind.Object);
        ReadOnlyMemory<byte> dkey = ObjectFields.ReadOptionalKey(ref reader);
        ReadOnlyMemory<byte> akey = ObjectFields.ReadOptionalKey(ref reader);
        Extent records = reader.ReadExtent();
        bool needsDkey = kind != PunchKind.Object;
        bool needsAkey = kind is PunchKind.Akey or PunchKind.Extents;
        if (needsDkey == dkey.IsEmpty || needsAkey == akey.IsEmpty)
        {
            throw new DaosException(DaosError.Protocol, $"a {kind} punch names the wrong keys");
        }

        if (kind != PunchKind.Extents && records != default)
        {
            throw new DaosException(DaosError.Protocol, $"a {kind} punch carries no extent");
        }

        return new ObjectPunchRequest(address, epoch, kind, dkey, akey, records);
    }
}
