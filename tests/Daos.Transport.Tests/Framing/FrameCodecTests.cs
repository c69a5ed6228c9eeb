using System.Buffers;
using System.Buffers.Binary;
using Daos.Transport.Messages;
using FsCheck;
using FsCheck.Fluent;

namespace Daos.Transport.Tests.Framing;

/// <summary>Round trips and rejections of the frame codec and every transport message. Each property case is one
/// seed, named in every assertion message.</summary>
public sealed class FrameCodecTests
{
    private static void ForAllSeeds(Action<int> property, int cases = 300) =>
        Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), (int seed) =>
        {
            property(seed);
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(cases));

    [Fact]
    public void Header_round_trips() => ForAllSeeds(seed =>
    {
        var random = new DeterministicRandom((ulong)seed);
        FrameHeader header = Frames.RandomHeader(random, random.Next(0, 1 << 20));
        Span<byte> bytes = stackalloc byte[FrameHeader.SizeBytes];
        header.Write(bytes);
        Assert.True(header == FrameCodec.ReadHeader(bytes, 1 << 20), $"seed {seed}");
    });

    [Fact]
    public void Frame_streams_decode_whole_in_one_byte_segments_and_byte_by_byte() => ForAllSeeds(seed =>
    {
        var random = new DeterministicRandom((ulong)seed);
        (byte[] bytes, List<(FrameHeader Header, byte[] Body)> expected) = Frames.RandomStream(random);
        Assert.True(Matches(DecodeAll(new ReadOnlySequence<byte>(bytes)), expected), $"seed {seed}: contiguous");
        Assert.True(Matches(DecodeAll(Segments.Split(bytes)), expected), $"seed {seed}: 1-byte segments");
        Assert.True(Matches(DecodeAll(Segments.Split(bytes, random, 64)), expected), $"seed {seed}: random segments");

        // As a network delivers it: one more byte each time, decoding whatever is complete.
        var decoded = new List<(FrameHeader, byte[])>();
        int consumed = 0;
        for (int available = 1; available <= bytes.Length; available++)
        {
            ReadOnlySequence<byte> window = Segments.Split(bytes.AsMemory(consumed, available - consumed));
            while (FrameCodec.TryReadFrame(ref window, 1 << 20, out FrameHeader header, out ReadOnlySequence<byte> body))
            {
                decoded.Add((header, body.ToArray()));
            }

            consumed = available - (int)window.Length;
        }

        Assert.True(consumed == bytes.Length && Matches(decoded, expected), $"seed {seed}: incremental");
    });

    [Fact]
    public void Ping_round_trips() => ForAllSeeds(seed =>
    {
        var random = new DeterministicRandom((ulong)seed);
        RoundTrip(new PingMessage(random.NextUInt64(), (long)random.NextUInt64()), seed);
    });

    [Fact]
    public void GoAway_round_trips() => ForAllSeeds(seed =>
    {
        var random = new DeterministicRandom((ulong)seed);
        RoundTrip(new GoAwayMessage(random.NextUInt64(), (DaosError)random.Next(0, 0x10000)), seed);
    });

    [Fact]
    public void ErrorMessage_round_trips_any_text_cut_to_its_limit() => ForAllSeeds(seed =>
    {
        var random = new DeterministicRandom((ulong)seed);
        string text = Frames.RandomText(random);
        if (random.Chance(0.2))
        {
            text = new string('€', random.Next(300, 3000));
        }

        ErrorMessage message = ErrorMessage.FromText(text);
        Assert.True(message.EncodedSizeBytes <= ErrorMessage.TextMaxBytes + 2, $"seed {seed}");
        RoundTrip(message, seed);
    });

    [Fact]
    public void Truncated_or_extended_messages_are_protocol_errors()
    {
        byte[][] encodings =
        [
            Frames.EncodeMessage(new PingMessage(1, 2)),
            Frames.EncodeMessage(new GoAwayMessage(3, DaosError.Canceled)),
            Frames.EncodeMessage(new ErrorMessage("reason")),
        ];
        foreach (byte[] full in encodings)
        {
            for (int cut = 0; cut < full.Length; cut++)
            {
                byte[] prefix = full[..cut];
                AssertProtocol(() => DecodeAny(full, prefix));
            }

            byte[] longer = [.. full, 0];
            AssertProtocol(() => DecodeAny(full, longer));
        }

        byte[] badUtf8 = [2, 0, 0xC3, 0x28];
        AssertProtocol(() => WireMessage.Decode<ErrorMessage>(badUtf8));
        byte[] badReason = Frames.EncodeMessage(new GoAwayMessage(1, DaosError.None));
        BinaryPrimitives.WriteInt32LittleEndian(badReason.AsSpan(8), -5);
        AssertProtocol(() => WireMessage.Decode<GoAwayMessage>(badReason));
    }

    [Theory]
    [InlineData(0, 0xFF, "bad magic")]
    [InlineData(4, 2, "unsupported protocol version")]
    [InlineData(9, 0x01, "header checksum mismatch")]
    [InlineData(39, 0x80, "header checksum mismatch")]
    public void Corrupted_headers_are_rejected_with_a_reason(int offset, byte xor, string reason)
    {
        byte[] frame = Frames.Encode(new FrameHeader(0x100, FrameFlags.None, 1, 0, DaosError.None, 0, 0), []);
        frame[offset] ^= xor;
        var e = Assert.Throws<DaosException>(() => FrameCodec.ReadHeader(frame, 1024));
        Assert.Equal(DaosError.Protocol, e.Error);
        Assert.StartsWith(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fields_are_validated_even_with_a_correct_checksum()
    {
        AssertProtocol(() => FrameCodec.ReadHeader(WithField(h => h with { Opcode = 0 }), 1024));
        AssertProtocol(() => FrameCodec.ReadHeader(WithField(h => h with { Flags = (FrameFlags)0x04 }), 1024));
        AssertProtocol(() => FrameCodec.ReadHeader(WithField(h => h with { Flags = FrameFlags.Response | FrameFlags.OneWay }), 1024));
        AssertProtocol(() => FrameCodec.ReadHeader(WithField(h => h with { Status = DaosError.IO }), 1024));
        AssertProtocol(() => FrameCodec.ReadHeader(WithField(h => h with { Flags = FrameFlags.Response, Status = (DaosError)0x10000 }), 1024));
        var oversized = Assert.Throws<DaosException>(() => FrameCodec.ReadHeader(WithField(h => h with { BodyLengthBytes = 1025 }), 1024));
        Assert.Equal(DaosError.Overflow, oversized.Error);
        byte[] huge = WithField(h => h);
        BinaryPrimitives.WriteUInt32LittleEndian(huge.AsSpan(32), uint.MaxValue);
        BinaryPrimitives.WriteUInt32LittleEndian(huge.AsSpan(36), Crc32C.Compute(huge.AsSpan(0, 36)));
        Assert.Equal(DaosError.Overflow, Assert.Throws<DaosException>(() => FrameCodec.ReadHeader(huge, int.MaxValue)).Error);
    }

    [Fact]
    public void An_oversized_header_is_rejected_before_its_body_arrives()
    {
        byte[] header = Frames.Encode(new FrameHeader(0x100, FrameFlags.None, 1, 0, DaosError.None, 0, 0), []);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(32), 1 << 20);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(36), Crc32C.Compute(header.AsSpan(0, 36)));
        var sequence = new ReadOnlySequence<byte>(header);
        Assert.Equal(DaosError.Overflow, Assert.Throws<DaosException>(() =>
            FrameCodec.TryReadFrame(ref sequence, 4096, out _, out _)).Error);
    }

    [Theory]
    [InlineData("tcp://127.0.0.1:4000", TransportScheme.Tcp, "127.0.0.1", 4000)]
    [InlineData("tcp://node-1.example:0", TransportScheme.Tcp, "node-1.example", 0)]
    [InlineData("tcp://[::1]:9", TransportScheme.Tcp, "::1", 9)]
    [InlineData("inproc://engine0", TransportScheme.InProcess, "engine0", 0)]
    [InlineData("sim://r3", TransportScheme.Simulated, "r3", 0)]
    public void Addresses_parse_and_print(string uri, TransportScheme scheme, string host, int port)
    {
        TransportAddress address = TransportAddress.Parse(uri);
        Assert.Equal(new TransportAddress(scheme, host, port), address);
        Assert.Equal(uri, address.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("udp://x:1")]
    [InlineData("tcp://host")]
    [InlineData("tcp://host:70000")]
    [InlineData("tcp://host:-1")]
    [InlineData("tcp://:5")]
    [InlineData("inproc://")]
    [InlineData("inproc://a/b")]
    [InlineData("sim://a b")]
    [InlineData("sim://a:1")]
    public void Malformed_addresses_are_rejected(string uri)
    {
        Assert.False(TransportAddress.TryParse(uri, out _));
        Assert.Equal(DaosError.InvalidArgument, Assert.Throws<DaosException>(() => TransportAddress.Parse(uri)).Error);
    }

    internal static List<(FrameHeader, byte[])> DecodeAll(ReadOnlySequence<byte> sequence)
    {
        var frames = new List<(FrameHeader, byte[])>();
        while (FrameCodec.TryReadFrame(ref sequence, 1 << 20, out FrameHeader header, out ReadOnlySequence<byte> body))
        {
            frames.Add((header, body.ToArray()));
        }

        Assert.Equal(0, sequence.Length);
        return frames;
    }

    private static bool Matches(List<(FrameHeader Header, byte[] Body)> actual, List<(FrameHeader Header, byte[] Body)> expected) =>
        actual.Count == expected.Count
        && actual.Zip(expected).All(p => p.First.Header == p.Second.Header && p.First.Body.AsSpan().SequenceEqual(p.Second.Body));

    private static void RoundTrip<T>(T message, int seed)
        where T : IWireMessage<T>
    {
        byte[] bytes = Frames.EncodeMessage(message);
        Assert.True(bytes.Length == message.EncodedSizeBytes, $"seed {seed}: size");
        T back = WireMessage.Decode<T>(bytes);
        Assert.True(EqualityComparer<T>.Default.Equals(message, back), $"seed {seed}: {message} became {back}");
    }

    private static object DecodeAny(byte[] template, byte[] bytes) => template.Length switch
    {
        16 => WireMessage.Decode<PingMessage>(bytes),
        12 => WireMessage.Decode<GoAwayMessage>(bytes),
        _ => WireMessage.Decode<ErrorMessage>(bytes),
    };

    private static byte[] WithField(Func<FrameHeader, FrameHeader> change)
    {
        // Writes the changed header with a valid checksum, bypassing nothing but the encoder's good sense.
        FrameHeader header = change(new FrameHeader(0x100, FrameFlags.None, 1, 0, DaosError.None, 0, 0));
        byte[] bytes = new byte[FrameHeader.SizeBytes];
        header.Write(bytes);
        return bytes;
    }

    private static void AssertProtocol(Action action) =>
        Assert.Equal(DaosError.Protocol, Assert.Throws<DaosException>(action).Error);

    private static void AssertProtocol(Func<object> action) =>
        Assert.Equal(DaosError.Protocol, Assert.Throws<DaosException>(() => action()).Error);
}
