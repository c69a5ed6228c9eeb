namespace Daos.Harness.Time;

/// <summary>
/// A <see cref="TimeProvider"/> whose clock moves only when told: <see cref="Advance"/> and <see cref="SetUtcNow"/>.
/// Timers created from it fire, in due-time order, while the clock is advanced past their due time, on the thread
/// that advances it. The deterministic scheduler and every timing test drive time through one of these.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly List<ManualTimer> _timers = [];
    private readonly Lock _gate = new();
    private DateTimeOffset _now;
    private long _sequence;

    /// <summary>Creates a clock reading <paramref name="start"/> (2026-01-01 UTC by default).</summary>
    public ManualTimeProvider(DateTimeOffset? start = null) =>
        _now = start ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    /// <inheritdoc/>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc/>
    public override long GetTimestamp()
    {
        lock (_gate)
        {
            return _now.UtcTicks;
        }
    }

    /// <summary>Moves the clock forward by <paramref name="delta"/>, firing due timers in order.</summary>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + delta;
        }

        RunTimersUntil(target);
    }

    /// <summary>
    /// Sets the wall clock, forwards or backwards (a clock step, as NTP may make). Timers fire only for forward
    /// moves; <see cref="GetTimestamp"/> follows the wall clock, as it does on a machine whose clock was set.
    /// </summary>
    public void SetUtcNow(DateTimeOffset value)
    {
        bool forward;
        lock (_gate)
        {
            forward = value > _now;
            if (!forward)
            {
                _now = value;
            }
        }

        if (forward)
        {
            RunTimersUntil(value);
        }
    }

    /// <summary>The due time of the earliest armed timer, if any.</summary>
    public DateTimeOffset? NextTimerDue
    {
        get
        {
            lock (_gate)
            {
                DateTimeOffset? best = null;
                foreach (ManualTimer t in _timers)
                {
                    if (t.Due is { } due && (best is null || due < best))
                    {
                        best = due;
                    }
                }

                return best;
            }
        }
    }

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new ManualTimer(this, callback, state);
        lock (_gate)
        {
            _timers.Add(timer);
        }

        timer.Change(dueTime, period);
        return timer;
    }

    private void RunTimersUntil(DateTimeOffset target)
    {
        while (true)
        {
            ManualTimer? next = null;
            lock (_gate)
            {
                foreach (ManualTimer t in _timers)
                {
                    if (t.Due is { } due && due <= target
                        && (next is null || due < next.Due || (due == next.Due && t.Sequence < next.Sequence)))
                    {
                        next = t;
                    }
                }

                if (next is null)
                {
                    _now = target;
                    return;
                }

                if (next.Due > _now)
                {
                    _now = next.Due!.Value;
                }

                next.Rearm();
            }

            next.Fire();
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? Due { get; private set; }

        public TimeSpan Period { get; private set; }

        public long Sequence { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                if (!owner._timers.Contains(this))
                {
                    return false;
                }

                Period = period;
                Sequence = ++owner._sequence;
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : owner._now + dueTime;
                return true;
            }
        }

        // Called under the owner's lock just before firing.
        public void Rearm()
        {
            Due = Period > TimeSpan.Zero && Period != Timeout.InfiniteTimeSpan ? Due + Period : null;
            Sequence = ++owner._sequence;
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
                Due = null;
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
