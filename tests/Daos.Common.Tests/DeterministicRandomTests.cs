namespace Daos.Common.Tests;

public sealed class DeterministicRandomTests
{
    [Fact]
    public void Sequence_is_pinned_xoshiro256starstar_seeded_by_splitmix64()
    {
        var zero = new DeterministicRandom(0);
        Assert.Equal(0x99ec5f36cb75f2b4UL, zero.NextUInt64());
        Assert.Equal(0xbf6e1f784956452aUL, zero.NextUInt64());
        Assert.Equal(0x1a5f849d4933e6e0UL, zero.NextUInt64());
        Assert.Equal(0x6aa594f1262d2d2cUL, zero.NextUInt64());
        var fortyTwo = new DeterministicRandom(42);
        Assert.Equal(0x15780b2e0c2ec716UL, fortyTwo.NextUInt64());
        Assert.Equal(0x6104d9866d113a7eUL, fortyTwo.NextUInt64());
    }

    [Fact]
    public void Bounded_values_stay_in_range_and_cover_it()
    {
        var random = new DeterministicRandom(1);
        var seen = new bool[7];
        for (int i = 0; i < 10_000; i++)
        {
            int v = random.Next(7);
            Assert.InRange(v, 0, 6);
            seen[v] = true;
            double d = random.NextDouble();
            Assert.InRange(d, 0.0, 0.9999999999999999);
            Assert.InRange(random.Next(-3, 3), -3, 2);
        }

        Assert.All(seen, Assert.True);
    }

    [Fact]
    public void Same_seed_same_bytes()
    {
        byte[] a = new byte[37], b = new byte[37];
        new DeterministicRandom(99).NextBytes(a);
        new DeterministicRandom(99).NextBytes(b);
        Assert.Equal(a, b);
        Assert.NotEqual(new byte[37], a);
    }

    [Fact]
    public void Rejects_empty_ranges()
    {
        var random = new DeterministicRandom(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => random.Next(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => random.Next(3, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => random.NextUInt64(0));
    }
}
