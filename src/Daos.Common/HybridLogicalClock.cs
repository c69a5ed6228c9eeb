namespace Daos;

/// <summary>
/// DAOS's hybrid logical clock. A value is physical time in 1/16 ns units since 2021-01-01 00:00:00 UTC with the
/// low 18 bits used as a logical counter, so values stay ordered when the physical clock stalls or steps back,
/// and a value received from another node moves the local clock forward (causality across engines).
/// </summary>
/// <remarks>Thread-safe. Physical time comes only from the injected <see cref="TimeProvider"/>.</remarks>
public sealed class HybridLogicalClock
{
    /// <summary>HLC units per nanosecond.</summary>
    public const ulong UnitsPerNanosecond = 16;

    /// <summary>The bits of the logical counter.</summary>
    public const ulong LogicalMask = 0x3FFFF;

    /// <summary>The HLC origin: 2021-01-01 00:00:00 UTC.</summary>
    public static readonly DateTimeOffset Origin = new(2021, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TimeProvider _time;
    private ulong _last;

    /// <summary>Creates a clock reading physical time from <paramref name="time"/>.</summary>
    /// <param name="time">The source of physical time.</param>
    /// <param name="maxOffset">The largest amount a received timestamp may lead local time (DAOS's epsilon, 1 s by default).</param>
    public HybridLogicalClock(TimeProvider time, TimeSpan? maxOffset = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        MaxOffset = maxOffset ?? TimeSpan.FromSeconds(1);
        if (MaxOffset < TimeSpan.Zero)
        {
            throw new DaosException(DaosError.InvalidArgument, $"HLC max offset {MaxOffset} is negative");
        }
    }

    /// <summary>The largest lead of a received timestamp over local physical time that <see cref="Update"/> accepts.</summary>
    public TimeSpan MaxOffset { get; }

    /// <summary>The largest value handed out or observed so far.</summary>
    public Epoch Last => new(Volatile.Read(ref _last));

    /// <summary>Returns a value greater than every value this clock has returned or observed.</summary>
    public Epoch Now()
    {
        ulong physical = PhysicalNow();
        while (true)
        {
            ulong last = Volatile.Read(ref _last);
            ulong next = (last & ~LogicalMask) < physical ? physical : last + 1;
            if (Interlocked.CompareExchange(ref _last, next, last) == last)
            {
                return new Epoch(next);
            }
        }
    }

    /// <summary>
    /// Observes a timestamp from another node so that later local values order after it.
    /// </summary>
    /// <returns>The clock's value after the update.</returns>
    /// <exception cref="DaosException"><see cref="DaosError.HlcSync"/> when <paramref name="remote"/> leads local time by more than <see cref="MaxOffset"/>.</exception>
    public Epoch Update(Epoch remote)
    {
        ulong physical = PhysicalNow();
        ulong offsetUnits = (ulong)MaxOffset.Ticks * 100 * UnitsPerNanosecond;
        if (remote.Value > physical && remote.Value - physical > offsetUnits)
        {
            throw new DaosException(DaosError.HlcSync,
                $"received timestamp {remote.Value} leads local time {physical} by more than {MaxOffset}");
        }

        while (true)
        {
            ulong last = Volatile.Read(ref _last);
            if (remote.Value <= last)
            {
                return new Epoch(last);
            }

            if (Interlocked.CompareExchange(ref _last, remote.Value, last) == last)
            {
                return remote;
            }
        }
    }

    /// <summary>Converts a wall-clock time to the HLC value with a zero logical counter.</summary>
    public static Epoch FromDateTimeOffset(DateTimeOffset time)
    {
        long ticks = (time - Origin).Ticks;
        if (ticks < 0)
        {
            throw new DaosException(DaosError.InvalidArgument, $"time {time:O} is before the HLC origin {Origin:O}");
        }

        return new Epoch(((ulong)ticks * 100 * UnitsPerNanosecond) & ~LogicalMask);
    }

    /// <summary>Converts an HLC value back to wall-clock time (100 ns resolution).</summary>
    public static DateTimeOffset ToDateTimeOffset(Epoch epoch) =>
        Origin.AddTicks((long)(epoch.Value / (100 * UnitsPerNanosecond)));

    private ulong PhysicalNow()
    {
        long ticks = (_time.GetUtcNow() - Origin).Ticks;
        return ticks <= 0 ? 0 : ((ulong)ticks * 100 * UnitsPerNanosecond) & ~LogicalMask;
    }
}
