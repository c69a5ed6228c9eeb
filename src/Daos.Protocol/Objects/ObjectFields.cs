namespace Daos.Protocol.Objects;

/// <summary>Field rules shared by the object messages.</summary>
internal static class ObjectFields
{
    public static ReadOnlyMemory<byte> ReadKey(ref ProtocolReader reader, string what)
    {
        ReadOnlyMemory<byte> key = reader.ReadBytes(ProtocolLimits.KeySizeBytesMax);
        if (key.IsEmpty)
        {
            throw new DaosException(DaosError.Protocol, $"empty {what}");
        }

        return key;
    }

    public static ReadOnlyMemory<byte> ReadOptionalKey(ref ProtocolReader reader) => reader.ReadBytes(ProtocolLimits.KeySizeBytesMax);

    public static void CheckArray(int recordSize, long index)
    {
        if (recordSize < 1 || recordSize > ProtocolLimits.RecordSizeBytesMax)
        {
            throw new DaosException(DaosError.Protocol, $"record size {recordSize} is outside 1..{ProtocolLimits.RecordSizeBytesMax}");
        }

        if (index < 0)
        {
            throw new DaosException(DaosError.Protocol, $"record index {index} is negative");
        }
    }

    public static Epoch ReadEpoch(ref ProtocolReader reader) => new(reader.ReadUInt64());
}
