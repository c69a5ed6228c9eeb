using Daos.Threading;

namespace Daos.Client.Retries;

/// <summary>
/// Bounded retries of operations that failed for a transient reason: a stale pool map (<see cref="DaosError.Stale"/>,
/// after refreshing the map), a lost connection (<see cref="DaosError.Unreachable"/>, <see cref="DaosError.Timeout"/>),
/// or a service replica that is not the leader (<see cref="DaosError.NotLeader"/>, after following the hint). The wait
/// between attempts doubles from <see cref="BackoffInitial"/> up to <see cref="BackoffMax"/> and is measured on
/// <see cref="TimeProvider"/>, so tests drive it with a manual clock.
/// </summary>
public sealed record RetryPolicy
{
    /// <summary>Retries after the first attempt; 0 disables retrying.</summary>
    public int RetriesMax { get; init; } = 8;

    /// <summary>Wait before the first retry.</summary>
    public TimeSpan BackoffInitial { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Upper bound of the doubling wait.</summary>
    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The clock waits are measured on.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The policy used when none is given.</summary>
    public static RetryPolicy Default { get; } = new();

    /// <summary>True for errors a retry may cure.</summary>
    public static bool IsTransient(DaosError error) => error is DaosError.Stale or DaosError.Unreachable
        or DaosError.NotLeader or DaosError.Timeout or DaosError.Busy or DaosError.Again or DaosError.NoService;

    /// <summary>The wait before retry number <paramref name="retry"/> (1-based): doubling, capped.</summary>
    public TimeSpan BackoffFor(int retry)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        long ticks = BackoffInitial.Ticks;
        for (int i = 1; i < retry && ticks < BackoffMax.Ticks; i++)
        {
            ticks *= 2;
        }

        return TimeSpan.FromTicks(Math.Min(ticks, BackoffMax.Ticks));
    }

    /// <summary>Checks the settings.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> for negative counts or waits.</exception>
    public void Validate()
    {
        if (RetriesMax < 0 || BackoffInitial < TimeSpan.Zero || BackoffMax < BackoffInitial)
        {
            ThrowHelper.InvalidArgument($"retry policy needs RetriesMax >= 0 and 0 <= BackoffInitial <= BackoffMax (got {RetriesMax}, {BackoffInitial}, {BackoffMax})");
        }
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> until it succeeds, fails with a non-transient error, or the retries run out (then
    /// the last error is thrown). <paramref name="beforeRetry"/> runs before each retry with the error that caused it
    /// (refresh the pool map on Stale, follow the leader hint on NotLeader).
    /// </summary>
    public async ValueTask<T> RunAsync<T, TState>(
        TState state,
        Func<TState, CancellationToken, ValueTask<T>> attempt,
        Func<TState, DaosException, CancellationToken, ValueTask>? beforeRetry,
        CancellationToken ct) => await RunAsync(state, attempt, beforeRetry, IsTransient, ct);

    /// <summary>
    /// True for errors a retry of an idempotent create may cure besides the transient ones: the outcome of a write
    /// the service leader could not confirm (<see cref="DaosError.TxUncertain"/>) or a replica shutting down under it
    /// (<see cref="DaosError.Shutdown"/>). Only a request that names what it creates (its uuid) may be retried on
    /// these: the retry then finds what the first attempt made instead of making a second one.
    /// </summary>
    internal static bool IsRetryableCreate(DaosError error) => IsTransient(error) || error is DaosError.TxUncertain or DaosError.Shutdown;

    /// <summary>As the public <c>RunAsync</c>, retrying the errors <paramref name="retryable"/> accepts.</summary>
    internal async ValueTask<T> RunAsync<T, TState>(
        TState state,
        Func<TState, CancellationToken, ValueTask<T>> attempt,
        Func<TState, DaosException, CancellationToken, ValueTask>? beforeRetry,
        Func<DaosError, bool> retryable,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        for (int retry = 0; ; retry++)
        {
            try
            {
                return await attempt(state, ct);
            }
            catch (DaosException e) when (retryable(e.Error) && retry < RetriesMax)
            {
                if (e.Error != DaosError.Stale)
                {
                    // A stale map is cured by the refresh alone; the others need the peer to recover or elect.
                    await ClockDelay.WaitAsync(TimeProvider, BackoffFor(retry + 1), ct);
                }

                if (beforeRetry is not null)
                {
                    await beforeRetry(state, e, ct);
                }
            }
        }
    }
}
