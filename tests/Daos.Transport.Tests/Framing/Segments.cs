using System.Buffers;

namespace Daos.Transport.Tests.Framing;

/// <summary>Builds multi-segment sequences, to feed decoders the way a network delivers bytes.</summary>
internal static class Segments
{
    public static ReadOnlySequence<byte> Split(ReadOnlyMemory<byte> data, DeterministicRandom? random = null, int maxSegment = 1)
    {
        if (data.IsEmpty)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        Segment? first = null, last = null;
        int offset = 0;
        while (offset < data.Length)
        {
            int length = random is null ? Math.Min(maxSegment, data.Length - offset) : Math.Min(random.Next(1, maxSegment + 1), data.Length - offset);
            var segment = new Segment(data.Slice(offset, length));
            if (first is null)
            {
                first = last = segment;
            }
            else
            {
                last = last!.Append(segment);
            }

            offset += length;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(Segment next)
        {
            next.RunningIndex = RunningIndex + Memory.Length;
            Next = next;
            return next;
        }
    }
}
