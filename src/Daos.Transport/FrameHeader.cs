using System.Buffers.Binary;

namespace Daos.Transport;

/// <summary>
/// The fixed 40-byte header that starts every frame on every network. The layout is in docs/formats/transport.md;
/// <see cref="FrameCodec"/> writes and validates it.
/// </summary>
/// <param name="Opcode">What the frame asks for; values below <see cref="TransportOpcodes.FirstApplication"/>
/// belong to the transport itself.</param>
/// <param name="Flags">Request, response or one-way.</param>
/// <param name="RequestId">Pairs a response with its request; unique per connection and direction.</param>
/// <param name="Target">The destination target index, which picks the executor; <see cref="AnyTarget"/> when the
/// request is for the node rather than one target.</param>
/// <param name="Status">For responses, the outcome as a DAOS error number; <see cref="DaosError.None"/> otherwise.</param>
/// <param name="Token">An opaque credential or handle token the upper layer checks (pool or container handle).</param>
/// <param name="BodyLengthBytes">How many body bytes follow the header.</param>
public readonly record struct FrameHeader(
    ushort Opcode,
    FrameFlags Flags,
    ulong RequestId,
    uint Target,
    DaosError Status,
    ulong Token,
    int BodyLengthBytes)
{
    /// <summary>Size of the encoded header.</summary>
    public const int SizeBytes = 40;

    /// <summary>The magic number: the bytes <c>44 4E 45 54</c> ("DNET") when read as a little-endian uint.</summary>
    public const uint Magic = 0x54454E44;

    /// <summary>The protocol version this build writes and the only one it reads.</summary>
    public const byte ProtocolVersion = 1;

    /// <summary>The target value that means "the node itself, not one of its targets".</summary>
    public const uint AnyTarget = uint.MaxValue;

    /// <summary>Offset of the header checksum; the CRC32C covers the bytes before it.</summary>
    internal const int ChecksumOffset = 36;

    /// <summary>Whether the frame is a response.</summary>
    public bool IsResponse => (Flags & FrameFlags.Response) != 0;

    /// <summary>Whether the frame expects no response.</summary>
    public bool IsOneWay => (Flags & FrameFlags.OneWay) != 0;

    /// <summary>Writes the header, checksum included, into the first <see cref="SizeBytes"/> of
    /// <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        if (destination.Length < SizeBytes)
        {
            ThrowHelper.InvalidArgument("header destination shorter than 40 bytes");
        }

        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        destination[4] = ProtocolVersion;
        destination[5] = (byte)Flags;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], Opcode);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], RequestId);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], Target);
        BinaryPrimitives.WriteInt32LittleEndian(destination[20..], (int)Status);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], Token);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[32..], (uint)BodyLengthBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[ChecksumOffset..], Crc32C.Compute(destination[..ChecksumOffset]));
    }
}
