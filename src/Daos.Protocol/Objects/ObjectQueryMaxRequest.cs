namespace Daos.Protocol.Objects;

/// <summary>The highest record index written (and visible at <see cref="Epoch"/>) under one array akey.</summary>
/// <param name="Address">Pool, container, handle, map version, object.</param>
/// <param name="Epoch">The epoch to query at.</param>
/// <param name="Dkey">The dkey.</param>
/// <param name="Akey">The akey.</param>
public sealed record ObjectQueryMaxRequest(ObjectAddress Address, Epoch Epoch, ReadOnlyMemory<byte> Dkey, ReadOnlyMemory<byte> Akey)
    : IProtocolMessage<ObjectQueryMaxRequest>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        Address.Write(ref writer);
        writer.WriteUInt64(Epoch.Value);
        writer.WriteBytes(Dkey.Span);
        writer.WriteBytes(Akey.Span);
    }

    /// <inheritdoc/>
    public static ObjectQueryMaxRequest Read(ref ProtocolReader reader)
    {
        ObjectAddress address = ObjectAddress.Read(ref reader);
        Epoch epoch = ObjectFields.ReadEpoch(ref reader);
        ReadOnlyMemory<byte> dkey = ObjectFields.ReadKey(ref reader, "dkey");
        ReadOnlyMemory<byte> akey = ObjectFields.ReadKey(ref reader, "akey");
        return new ObjectQueryMaxRequest(address, epoch, dkey, akey);
    }
}
