using Daos.Buffers;
using Daos.Transport.Messages;

namespace Daos.Transport.Tests.Framing;

/// <summary>Random valid frames and headers.</summary>
internal static class Frames
{
    public static FrameHeader RandomHeader(DeterministicRandom random, int bodyLength)
    {
        FrameFlags flags = (FrameFlags)random.Next(0, 3);
        DaosError status = flags == FrameFlags.Response && random.Chance(0.5) ? (DaosError)random.Next(1, 0x10000) : DaosError.None;
        return new FrameHeader(
            (ushort)random.Next(1, 0x10000),
            flags,
            random.NextUInt64(),
            (uint)random.NextUInt64(),
            status,
            random.NextUInt64(),
            bodyLength);
    }

    public static byte[] Encode(in FrameHeader header, ReadOnlySpan<byte> body)
    {
        using var writer = new PooledBufferWriter();
        FrameCodec.WriteFrame(writer, header, body);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>A stream of 1-4 valid frames: transport messages and opaque application bodies.</summary>
    public static (byte[] Bytes, List<(FrameHeader Header, byte[] Body)> Frames) RandomStream(DeterministicRandom random, int bodyMax = 600)
    {
        var frames = new List<(FrameHeader, byte[])>();
        using var writer = new PooledBufferWriter();
        int count = random.Next(1, 5);
        for (int i = 0; i < count; i++)
        {
            byte[] body;
            FrameHeader header;
            switch (random.Next(4))
            {
                case 0:
                    body = EncodeMessage(new PingMessage(random.NextUInt64(), (long)random.NextUInt64()));
                    header = new FrameHeader(TransportOpcodes.Ping, FrameFlags.OneWay, 0, FrameHeader.AnyTarget, DaosError.None, 0, body.Length);
                    break;
                case 1:
                    body = EncodeMessage(new GoAwayMessage(random.NextUInt64(), (DaosError)random.Next(0, 0x10000)));
                    header = new FrameHeader(TransportOpcodes.GoAway, FrameFlags.OneWay, 0, FrameHeader.AnyTarget, DaosError.None, 0, body.Length);
                    break;
                case 2:
                    body = EncodeMessage(ErrorMessage.FromText(RandomText(random)));
                    header = new FrameHeader(0x0100, FrameFlags.Response, random.NextUInt64(), 0, DaosError.NoPermission, 0, body.Length);
                    break;
                default:
                    body = new byte[random.Next(0, bodyMax)];
                    random.NextBytes(body);
                    header = RandomHeader(random, body.Length);
                    break;
            }

            FrameCodec.WriteFrame(writer, header, body);
            frames.Add((header, body));
        }

        return (writer.WrittenSpan.ToArray(), frames);
    }

    public static byte[] EncodeMessage<T>(T message)
        where T : IWireMessage<T>
    {
        using var writer = new PooledBufferWriter();
        WireMessage.Encode(message, writer);
        return writer.WrittenSpan.ToArray();
    }

    public static string RandomText(DeterministicRandom random)
    {
        const string alphabet = "abcXYZ 019-_/é€😀\u0000\t";
        int length = random.Next(0, 40);
        var chars = new System.Text.StringBuilder();
        for (int i = 0; i < length; i++)
        {
            char c = alphabet[random.Next(alphabet.Length)];
            if (char.IsSurrogate(c))
            {
                chars.Append("😀");
            }
            else
            {
                chars.Append(c);
            }
        }

        return chars.ToString();
    }
}
