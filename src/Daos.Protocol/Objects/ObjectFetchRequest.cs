namespace Daos.Protocol.Objects;

/// <summary>Fetch several akeys of one dkey in one trip, at <see cref="Epoch"/> (<see cref="Epoch.Max"/>: the latest).</summary>
/// <param name="Address">Pool, container, handle, map version, object.</param>
/// <param name="Epoch">The epoch to read at.</param>
/// <param name="Dkey">The distribution key.</param>
/// <param name="Iods">The akeys to read (1..<see cref="ProtocolLimits.IodsMax"/>).</param>
public sealed record ObjectFetchRequest(ObjectAddress Address, Epoch Epoch, ReadOnlyMemory<byte> Dkey, IReadOnlyList<IodFetch> Iods)
    : IProtocolMessage<ObjectFetchRequest>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        Address.Write(ref writer);
        writer.WriteUInt64(Epoch.Value);
        writer.WriteBytes(Dkey.Span);
        writer.WriteCount(Iods.Count);
        for (int i = 0; i < Iods.Count; i++)
        {
            Iods[i].Write(ref writer);
        }
    }

    /// <inheritdoc/>
    public static ObjectFetchRequest Read(ref ProtocolReader reader)
    {
        ObjectAddress address = ObjectAddress.Read(ref reader);
        Epoch epoch = ObjectFields.ReadEpoch(ref reader);
        ReadOnlyMemory<byte> dkey = ObjectFields.ReadKey(ref reader, "dkey");
        int count = reader.ReadCount(ProtocolLimits.IodsMax, IodFetch.SizeBytesMin);
        if (count == 0)
        {
            throw new DaosException(DaosError.Protocol, "a fetch names no akey");
        }

        var iods = new IodFetch[count];
        long total = 0;
        for (int i = 0; i < count; i++)
        {
            iods[i] = IodFetch.Read(ref reader);
            total += iods[i].Count * iods[i].RecordSize;
        }

        if (total > ProtocolLimits.ValueSizeBytesMax)
        {
            throw new DaosException(DaosError.Protocol, $"a fetch of {total} bytes is over the {ProtocolLimits.ValueSizeBytesMax}-byte reply limit");
        }

        return new ObjectFetchRequest(address, epoch, dkey, iods);
    }
}
