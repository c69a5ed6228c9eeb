using System.Numerics;

namespace Daos;

/// <summary>
/// The seeded pseudo-random source every Daos.NET component takes instead of <see cref="Random"/>: xoshiro256**
/// (Blackman and Vigna, 2018), its 256-bit state filled from the 64-bit seed by SplitMix64. The algorithm is fixed
/// and documented here so that a seed printed by a failing test replays the same run on any .NET version.
/// </summary>
/// <remarks>Not thread-safe: each owner (a target, a scheduler, a test) holds its own, forked from a parent seed.</remarks>
public sealed class DeterministicRandom
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a source from <paramref name="seed"/>.</summary>
    public DeterministicRandom(ulong seed)
    {
        Seed = seed;
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>The seed this source was created from.</summary>
    public ulong Seed { get; }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform integer in <c>[0, maxExclusive)</c>, without modulo bias (Lemire's method).</summary>
    public int Next(int maxExclusive)
    {
        if (maxExclusive <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "must be positive");
        }

        return (int)NextUInt64((ulong)maxExclusive);
    }

    /// <summary>A uniform integer in <c>[minInclusive, maxExclusive)</c>.</summary>
    public int Next(int minInclusive, int maxExclusive)
    {
        if (maxExclusive <= minInclusive)
        {
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "must exceed the minimum");
        }

        return minInclusive + (int)NextUInt64((ulong)((long)maxExclusive - minInclusive));
    }

    /// <summary>A uniform 64-bit integer in <c>[0, maxExclusive)</c>.</summary>
    public ulong NextUInt64(ulong maxExclusive)
    {
        if (maxExclusive == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "must be positive");
        }

        ulong high = Math.BigMul(NextUInt64(), maxExclusive, out ulong low);
        if (low < maxExclusive)
        {
            ulong threshold = (0 - maxExclusive) % maxExclusive;
            while (low < threshold)
            {
                high = Math.BigMul(NextUInt64(), maxExclusive, out low);
            }
        }

        return high;
    }

    /// <summary>A uniform double in <c>[0, 1)</c> with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>True with probability <paramref name="probability"/>.</summary>
    public bool Chance(double probability) => NextDouble() < probability;

    /// <summary>Fills <paramref name="destination"/> with random bytes.</summary>
    public void NextBytes(Span<byte> destination)
    {
        while (destination.Length >= 8)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(destination, NextUInt64());
            destination = destination[8..];
        }

        if (!destination.IsEmpty)
        {
            ulong last = NextUInt64();
            for (int i = 0; i < destination.Length; i++)
            {
                destination[i] = (byte)(last >> (8 * i));
            }
        }
    }

    /// <summary>A new independent source seeded from this one (for handing to a child component).</summary>
    public DeterministicRandom Fork() => new(NextUInt64());

    private static ulong SplitMix64(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        ulong z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
