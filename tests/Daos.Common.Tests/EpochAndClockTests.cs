using Daos.Harness.Time;

namespace Daos.Common.Tests;

public sealed class EpochAndClockTests
{
    [Theory]
    [InlineData("0", 0UL)]
    [InlineData("12345", 12345UL)]
    [InlineData("0x1F", 31UL)]
    [InlineData("max", ulong.MaxValue)]
    [InlineData(" 18446744073709551615 ", ulong.MaxValue)]
    public void Epoch_parses_decimal_hex_and_max(string text, ulong value) =>
        Assert.Equal(new Epoch(value), Epoch.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("18446744073709551616")]
    [InlineData("0xZZ")]
    [InlineData("1e5")]
    public void Epoch_rejects_malformed_text(string text)
    {
        var e = Assert.Throws<DaosException>(() => Epoch.Parse(text));
        Assert.Equal(DaosError.InvalidArgument, e.Error);
        Assert.Contains($"'{text}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Epoch_update_validity()
    {
        Assert.False(Epoch.Zero.IsValidForUpdate);
        Assert.False(Epoch.Max.IsValidForUpdate);
        Assert.True(new Epoch(1).IsValidForUpdate);
    }

    [Fact]
    public void Hlc_uses_DAOS_format()
    {
        var time = new ManualTimeProvider(HybridLogicalClock.Origin.AddSeconds(1));
        var clock = new HybridLogicalClock(time);
        Epoch e = clock.Now();
        // One second after the origin is 1e9 ns * 16 units, with the 18 logical bits cleared.
        Assert.Equal((1_000_000_000UL * 16) & ~HybridLogicalClock.LogicalMask, e.Value);
        // Clearing the logical bits loses at most 2^18 units = 16.4 us.
        TimeSpan error = HybridLogicalClock.Origin.AddSeconds(1) - e.ToDateTimeOffset();
        Assert.InRange(error, TimeSpan.Zero, TimeSpan.FromMicroseconds(17));
    }

    [Fact]
    public void Hlc_stays_monotonic_when_the_clock_goes_backwards()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));
        var clock = new HybridLogicalClock(time);
        Epoch before = clock.Now();
        time.SetUtcNow(time.GetUtcNow().AddSeconds(-30));
        Epoch after = clock.Now();
        Assert.True(after > before);
        Assert.Equal(before.Value + 1, after.Value);
    }

    [Fact]
    public void Hlc_uses_logical_bits_when_physical_time_stalls()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));
        var clock = new HybridLogicalClock(time);
        Epoch first = clock.Now();
        Assert.Equal(0UL, first.Value & HybridLogicalClock.LogicalMask);
        Epoch previous = first;
        for (int i = 1; i <= 1000; i++)
        {
            Epoch next = clock.Now();
            Assert.Equal(previous.Value + 1, next.Value);
            previous = next;
        }

        Assert.Equal(1000UL, previous.Value & HybridLogicalClock.LogicalMask);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Epoch later = clock.Now();
        Assert.Equal(0UL, later.Value & HybridLogicalClock.LogicalMask);
        Assert.True(later > previous);
    }

    [Fact]
    public void Hlc_update_moves_forward_and_refuses_far_future()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));
        var clock = new HybridLogicalClock(time);
        Epoch local = clock.Now();
        var remote = new Epoch(local.Value + (500_000_000UL * 16)); // half a second ahead
        Assert.Equal(remote, clock.Update(remote));
        Assert.True(clock.Now() > remote);
        var tooFar = new Epoch(local.Value + (5_000_000_000UL * 16));
        Assert.Equal(DaosError.HlcSync, Assert.Throws<DaosException>(() => clock.Update(tooFar)).Error);
        Assert.True(clock.Update(new Epoch(1)) > remote); // an old remote never moves the clock back
    }

    [Fact]
    public void Extent_validation()
    {
        Assert.True(new Extent(0, 1).IsValid);
        Assert.False(new Extent(-1, 1).IsValid);
        Assert.False(new Extent(0, 0).IsValid);
        Assert.False(new Extent(long.MaxValue, 2).IsValid);
        Assert.Equal(DaosError.InvalidArgument, Assert.Throws<DaosException>(() => new Extent(5, -1).Validate()).Error);
        Assert.True(new Extent(0, 10).Overlaps(new Extent(9, 1)));
        Assert.False(new Extent(0, 10).Overlaps(new Extent(10, 1)));
    }
}
