namespace Daos.Protocol.Objects;

/// <summary>
/// One page of a listing at <see cref="Epoch"/>. Keys come in the target's stable order; the next page resumes after
/// <see cref="AfterKey"/> (keys) or from <see cref="FromIndex"/> (extents). An empty anchor starts at the beginning.
/// </summary>
/// <param name="Address">Pool, container, handle, map version, object.</param>
/// <param name="Epoch">The epoch to list at.</param>
/// <param name="Kind">Dkeys, akeys or extents.</param>
/// <param name="Dkey">The dkey (akeys and extents).</param>
/// <param name="Akey">The akey (extents).</param>
/// <param name="AfterKey">Resume after this key; empty: from the start.</param>
/// <param name="FromIndex">Extents: list those ending after this record index.</param>
/// <param name="PageSize">Most entries to return (1..<see cref="ProtocolLimits.PageSizeMax"/>).</param>
public sealed record ObjectListRequest(ObjectAddress Address, Epoch Epoch, ListKind Kind, ReadOnlyMemory<byte> Dkey, ReadOnlyMemory<byte> Akey,
    ReadOnlyMemory<byte> AfterKey, long FromIndex, int PageSize) : IProtocolMessage<ObjectListRequest>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        Address.Write(ref writer);
        writer.WriteUInt64(Epoch.Value);
        writer.WriteUInt8((byte)Kind);
        writer.WriteBytes(Dkey.Span);
        writer.WriteBytes(Akey.Span);
        writer.WriteBytes(AfterKey.Span);
        writer.WriteInt64(FromIndex);
        writer.WriteInt32(PageSize);
    }

    /// <inheritdoc/>
    public static ObjectListRequest Read(ref ProtocolReader reader)
    {
        ObjectAddress address = ObjectAddress.Read(ref reader);
        Epoch epoch = ObjectFields.ReadEpoch(ref reader);
        var kind = (ListKind)reader.ReadEnum((byte)ListKind.Extents, (byte)ListKind.Dkeys);
        ReadOnlyMemory<byte> dkey = ObjectFields.ReadOptionalKey(ref reader);
        ReadOnlyMemory<byte> akey = ObjectFields.ReadOptionalKey(ref reader);
        ReadOnlyMemory<byte> after = ObjectFields.ReadOptionalKey(ref reader);
        long from = reader.ReadInt64();
        int pageSize = reader.ReadInt32();
        if (pageSize < 1 || pageSize > ProtocolLimits.PageSizeMax)
        {
            throw new DaosException(DaosError.Protocol, $"page size {pageSize} is outside 1..{ProtocolLimits.PageSizeMax}");
        }

        bool needsDkey = kind != ListKind.Dkeys;
        bool needsAkey = kind == ListKind.Extents;
        if (needsDkey == dkey.IsEmpty || needsAkey == akey.IsEmpty || from < 0)
        {
            throw new DaosException(DaosError.Protocol, $"a {kind} listing names the wrong keys or a negative index");
        }

        return new ObjectListRequest(address, epoch, kind, dkey, akey, after, from, pageSize);
    }
}
