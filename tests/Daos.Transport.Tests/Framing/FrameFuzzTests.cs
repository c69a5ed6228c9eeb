using System.Buffers;
using Daos.Transport.Messages;
using Xunit.Abstractions;

namespace Daos.Transport.Tests.Framing;

/// <summary>
/// The in-repo mutation fuzzer over a corpus of valid frame streams (SharpFuzz is not available for this build).
/// Each mutated input is decoded exactly as a connection decodes: random segmentation, frames pulled until more
/// bytes are needed, transport message bodies decoded. Only <see cref="DaosError.Protocol"/> or
/// <see cref="DaosError.Overflow"/> may escape; decoding makes progress on every frame (no hang); and a decode that
/// does not throw allocates nothing.
/// </summary>
public sealed class FrameFuzzTests(ITestOutputHelper output)
{
    private const int BodyLimitBytes = 64 * 1024;

    [Fact]
    public void Mutated_frames_only_raise_protocol_errors() => Campaign(seed: 0x5EED, iterations: 250_000);

    [Fact]
    [Trait("Category", "Soak")]
    public void Mutated_frames_only_raise_protocol_errors_soak() => Campaign(seed: 0xBEEF, iterations: 5_000_000);

    private void Campaign(ulong seed, int iterations)
    {
        var random = new DeterministicRandom(seed);
        var corpus = new List<byte[]>();
        for (int i = 0; i < 64; i++)
        {
            corpus.Add(Frames.RandomStream(random.Fork(), bodyMax: 300).Bytes);
        }

        // Warm up (JIT, static constructors) so the allocation check sees only the decoder.
        foreach (byte[] entry in corpus)
        {
            DecodeLikeAConnection(new ReadOnlySequence<byte>(entry), entry.Length, 0);
        }

        int rejected = 0, accepted = 0, frames = 0;
        var errors = new Dictionary<string, int>();
        for (int i = 0; i < iterations; i++)
        {
            ulong caseSeed = random.NextUInt64();
            var caseRandom = new DeterministicRandom(caseSeed);
            byte[] input = FrameMutator.Mutate(corpus[caseRandom.Next(corpus.Count)], corpus, caseRandom);
            ReadOnlySequence<byte> sequence = caseRandom.Chance(0.5)
                ? new ReadOnlySequence<byte>(input)
                : Segments.Split(input, caseRandom, caseRandom.Chance(0.3) ? 1 : 64);
            try
            {
                frames += DecodeLikeAConnection(sequence, input.Length, caseSeed);
                accepted++;
            }
            catch (DaosException e) when (e.Error is DaosError.Protocol or DaosError.Overflow)
            {
                rejected++;
                string reason = e.Message[..e.Message.IndexOf(" (", StringComparison.Ordinal)];
                errors[reason] = errors.GetValueOrDefault(reason) + 1;
            }
            catch (Exception e)
            {
                Assert.Fail($"case seed {caseSeed} (campaign {seed}, iteration {i}): {e.GetType().Name}: {e.Message}\n" +
                    $"input {Convert.ToHexString(input)}");
            }
        }

        output.WriteLine($"campaign seed {seed}: {iterations} inputs, {accepted} decoded cleanly ({frames} frames), {rejected} rejected");
        foreach ((string reason, int count) in errors.OrderByDescending(p => p.Value))
        {
            output.WriteLine($"  {count,8}  {reason}");
        }

        // The campaign must reach past the checksum into the field checks and message decoders.
        Assert.True(accepted > iterations / 20, $"campaign {seed}: too few inputs decoded ({accepted})");
        Assert.True(errors.Count >= 6, $"campaign {seed}: only {errors.Count} distinct rejections: {string.Join("; ", errors.Keys)}");
    }

    private static int DecodeLikeAConnection(ReadOnlySequence<byte> sequence, int inputLength, ulong caseSeed)
    {
        int frames = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        Span<byte> scratch = stackalloc byte[64];
        while (FrameCodec.TryReadFrame(ref sequence, BodyLimitBytes, out FrameHeader header, out ReadOnlySequence<byte> body))
        {
            frames++;
            if (frames > inputLength / FrameHeader.SizeBytes)
            {
                Assert.Fail($"case seed {caseSeed}: decoder did not progress");
            }

            if (header.Opcode < TransportOpcodes.FirstApplication && header.IsOneWay && body.Length <= scratch.Length)
            {
                Span<byte> copy = scratch[..(int)body.Length];
                body.CopyTo(copy);
                if (header.Opcode == TransportOpcodes.Ping)
                {
                    _ = WireMessage.Decode<PingMessage>(copy);
                }
                else if (header.Opcode == TransportOpcodes.GoAway)
                {
                    _ = WireMessage.Decode<GoAwayMessage>(copy);
                }
            }
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (allocated != 0)
        {
            Assert.Fail($"case seed {caseSeed}: decoding allocated {allocated} bytes");
        }

        // Error bodies decode to a bounded string; this is the only decode that allocates, by design.
        return frames;
    }
}
