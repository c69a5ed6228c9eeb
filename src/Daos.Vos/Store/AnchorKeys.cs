using System.Buffers.Binary;

namespace Daos.Vos.Store;

/// <summary>The key bytes anchors carry for object and extent listings (little-endian).</summary>
internal static class AnchorKeys
{
    public static byte[] Of(ObjectId oid)
    {
        byte[] key = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(key, oid.Hi);
        BinaryPrimitives.WriteUInt64LittleEndian(key.AsSpan(8), oid.Lo);
        return key;
    }

    public static byte[] Of(long nextIndex)
    {
        byte[] key = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(key, nextIndex);
        return key;
    }

    public static ObjectId ReadObjectId(ReadOnlyMemory<byte> key) =>
        new(BinaryPrimitives.ReadUInt64LittleEndian(key.Span), BinaryPrimitives.ReadUInt64LittleEndian(key.Span[8..]));

    public static long ReadIndex(ReadOnlyMemory<byte> key) => BinaryPrimitives.ReadInt64LittleEndian(key.Span);
}
