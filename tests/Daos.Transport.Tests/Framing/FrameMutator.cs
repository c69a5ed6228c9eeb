using System.Buffers.Binary;

namespace Daos.Transport.Tests.Framing;

/// <summary>
/// Mutations for the in-repo fuzzer: bit flips, byte stores, interesting integers in the length field, inserts,
/// deletions, truncation, duplication and splices between corpus entries. Half the time the header checksums are
/// recomputed afterwards, so mutations reach the checks behind the CRC instead of all dying there.
/// </summary>
internal static class FrameMutator
{
    private static readonly uint[] InterestingLengths = [0, 1, 15, 16, 39, 40, 64, 4095, 4096, 65535, 65536, 1 << 20, int.MaxValue, uint.MaxValue];

    public static byte[] Mutate(byte[] input, IReadOnlyList<byte[]> corpus, DeterministicRandom random)
    {
        var bytes = new List<byte>(input);
        int rounds = random.Next(1, 5);
        for (int r = 0; r < rounds; r++)
        {
            switch (random.Next(9))
            {
                case 0 when bytes.Count > 0:
                    bytes[random.Next(bytes.Count)] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                    break;
                case 2 when bytes.Count >= FrameHeader.SizeBytes:
                    int frameStart = FrameStart(bytes, random);
                    byte[] length = new byte[4];
                    BinaryPrimitives.WriteUInt32LittleEndian(length, InterestingLengths[random.Next(InterestingLengths.Length)]);
                    for (int i = 0; i < 4 && frameStart + 32 + i < bytes.Count; i++)
                    {
                        bytes[frameStart + 32 + i] = length[i];
                    }

                    break;
                case 3:
                    byte[] noise = new byte[random.Next(1, 48)];
                    random.NextBytes(noise);
                    bytes.InsertRange(random.Next(bytes.Count + 1), noise);
                    break;
                case 4 when bytes.Count > 1:
                    int at = random.Next(bytes.Count);
                    bytes.RemoveRange(at, random.Next(1, Math.Min(64, bytes.Count - at) + 1));
                    break;
                case 5 when bytes.Count > 1:
                    int keep = random.Next(bytes.Count);
                    bytes.RemoveRange(keep, bytes.Count - keep);
                    break;
                case 6 when bytes.Count > 1:
                    int from = random.Next(bytes.Count);
                    int count = random.Next(1, Math.Min(128, bytes.Count - from) + 1);
                    bytes.InsertRange(random.Next(bytes.Count + 1), bytes.GetRange(from, count));
                    break;
                case 7:
                    byte[] other = corpus[random.Next(corpus.Count)];
                    int cut = random.Next(bytes.Count + 1);
                    int otherCut = random.Next(other.Length + 1);
                    bytes.RemoveRange(cut, bytes.Count - cut);
                    bytes.AddRange(other.AsSpan(otherCut).ToArray());
                    break;
                default:
                    // Header fields other than length: version, flags, opcode, status.
                    if (bytes.Count >= FrameHeader.SizeBytes)
                    {
                        int start = FrameStart(bytes, random);
                        int field = random.Next(4) switch { 0 => 4, 1 => 5, 2 => 6, _ => 20 };
                        if (start + field < bytes.Count)
                        {
                            bytes[start + field] = (byte)random.Next(256);
                        }
                    }

                    break;
            }
        }

        byte[] result = [.. bytes];
        if (random.Chance(0.5))
        {
            FixChecksums(result);
        }

        return result;
    }

    /// <summary>Recomputes the CRC of every header found by walking the length fields from the start.</summary>
    public static void FixChecksums(byte[] bytes)
    {
        int offset = 0;
        while (offset + FrameHeader.SizeBytes <= bytes.Length)
        {
            Span<byte> header = bytes.AsSpan(offset, FrameHeader.SizeBytes);
            BinaryPrimitives.WriteUInt32LittleEndian(header[36..], Crc32C.Compute(header[..36]));
            long next = offset + FrameHeader.SizeBytes + (long)BinaryPrimitives.ReadUInt32LittleEndian(header[32..]);
            if (next > bytes.Length)
            {
                return;
            }

            offset = (int)next;
        }
    }

    private static int FrameStart(List<byte> bytes, DeterministicRandom random)
    {
        // Usually the first frame; sometimes an arbitrary offset.
        return random.Chance(0.7) ? 0 : random.Next(Math.Max(1, bytes.Count - FrameHeader.SizeBytes));
    }
}
