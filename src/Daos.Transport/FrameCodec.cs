using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Daos.Transport;

/// <summary>
/// Writes frames and reads them back from untrusted bytes. Reading validates, in this order, the magic number, the
/// protocol version, the header CRC32C, the flags, the opcode, the status and the body length against the limit,
/// and throws a <see cref="DaosException"/> (<see cref="DaosError.Protocol"/>, or <see cref="DaosError.Overflow"/>
/// for a body over the limit) on the first violation. Nothing here allocates except the exception.
/// </summary>
public static class FrameCodec
{
    /// <summary>The largest status number a response may carry.</summary>
    private const int StatusMax = 0xFFFF;

    /// <summary>Validates and decodes a header from the first <see cref="FrameHeader.SizeBytes"/> of
    /// <paramref name="source"/>.</summary>
    /// <param name="source">At least 40 bytes of untrusted input.</param>
    /// <param name="bodyLengthMaxBytes">The largest body the reader accepts.</param>
    /// <exception cref="DaosException">The header is malformed or announces a body over the limit.</exception>
    public static FrameHeader ReadHeader(ReadOnlySpan<byte> source, int bodyLengthMaxBytes)
    {
        if (source.Length < FrameHeader.SizeBytes)
        {
            ThrowProtocol("header shorter than 40 bytes");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(source) != FrameHeader.Magic)
        {
            ThrowProtocol("bad magic number");
        }

        if (source[4] != FrameHeader.ProtocolVersion)
        {
            ThrowProtocol("unsupported protocol version");
        }

        uint storedChecksum = BinaryPrimitives.ReadUInt32LittleEndian(source[FrameHeader.ChecksumOffset..]);
        if (Crc32C.Compute(source[..FrameHeader.ChecksumOffset]) != storedChecksum)
        {
            ThrowProtocol("header checksum mismatch");
        }

        var flags = (FrameFlags)source[5];
        if ((flags & ~(FrameFlags.Response | FrameFlags.OneWay)) != 0
            || flags == (FrameFlags.Response | FrameFlags.OneWay))
        {
            ThrowProtocol("undefined flag bits");
        }

        ushort opcode = BinaryPrimitives.ReadUInt16LittleEndian(source[6..]);
        if (opcode == TransportOpcodes.Invalid)
        {
            ThrowProtocol("opcode zero");
        }

        int status = BinaryPrimitives.ReadInt32LittleEndian(source[20..]);
        if (status < 0 || status > StatusMax || (status != 0 && (flags & FrameFlags.Response) == 0))
        {
            ThrowProtocol("status out of range");
        }

        uint bodyLength = BinaryPrimitives.ReadUInt32LittleEndian(source[32..]);
        if (bodyLength > (uint)bodyLengthMaxBytes)
        {
            ThrowOversized();
        }

        return new FrameHeader(
            opcode,
            flags,
            BinaryPrimitives.ReadUInt64LittleEndian(source[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(source[16..]),
            (DaosError)status,
            BinaryPrimitives.ReadUInt64LittleEndian(source[24..]),
            (int)bodyLength);
    }

    /// <summary>
    /// Takes one complete frame from the front of <paramref name="buffer"/>, if one is there. On success
    /// <paramref name="buffer"/> is advanced past the frame and <paramref name="body"/> is a slice of the input
    /// (no copy). Returns false, leaving <paramref name="buffer"/> untouched, when more bytes are needed; a header
    /// that is already complete is validated even then, so a bad frame is rejected before its body arrives.
    /// </summary>
    /// <exception cref="DaosException">The frame is malformed or over the limit.</exception>
    public static bool TryReadFrame(
        ref ReadOnlySequence<byte> buffer,
        int bodyLengthMaxBytes,
        out FrameHeader header,
        out ReadOnlySequence<byte> body)
    {
        body = default;
        header = default;
        if (buffer.Length < FrameHeader.SizeBytes)
        {
            return false;
        }

        ReadOnlySpan<byte> first = buffer.FirstSpan;
        if (first.Length >= FrameHeader.SizeBytes)
        {
            header = ReadHeader(first, bodyLengthMaxBytes);
        }
        else
        {
            Span<byte> copy = stackalloc byte[FrameHeader.SizeBytes];
            buffer.Slice(0, FrameHeader.SizeBytes).CopyTo(copy);
            header = ReadHeader(copy, bodyLengthMaxBytes);
        }

        long frameLength = FrameHeader.SizeBytes + (long)header.BodyLengthBytes;
        if (buffer.Length < frameLength)
        {
            return false;
        }

        body = buffer.Slice(FrameHeader.SizeBytes, header.BodyLengthBytes);
        buffer = buffer.Slice(frameLength);
        return true;
    }

    /// <summary>Writes a header followed by <paramref name="body"/>; the header's body length must match.</summary>
    public static void WriteFrame(IBufferWriter<byte> writer, in FrameHeader header, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (header.BodyLengthBytes != body.Length)
        {
            ThrowHelper.InvalidArgument("header body length does not match the body");
        }

        Span<byte> span = writer.GetSpan(FrameHeader.SizeBytes);
        header.Write(span);
        writer.Advance(FrameHeader.SizeBytes);
        while (!body.IsEmpty)
        {
            Span<byte> destination = writer.GetSpan(1);
            int n = Math.Min(destination.Length, body.Length);
            body[..n].CopyTo(destination);
            writer.Advance(n);
            body = body[n..];
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowProtocol(string reason) => throw new DaosException(DaosError.Protocol, reason);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOversized() =>
        throw new DaosException(DaosError.Overflow, "frame body longer than the limit");
}
