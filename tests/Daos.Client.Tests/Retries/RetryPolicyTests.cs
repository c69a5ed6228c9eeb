using Daos.Client.Retries;
using Daos.Harness.Time;

namespace Daos.Client.Tests.Retries;

public sealed class RetryPolicyTests
{
    [Fact]
    public void Backoff_doubles_from_the_initial_wait_and_stops_at_the_cap()
    {
        var policy = new RetryPolicy { BackoffInitial = TimeSpan.FromMilliseconds(5), BackoffMax = TimeSpan.FromMilliseconds(30) };

        Assert.Equal([5, 10, 20, 30, 30], Enumerable.Range(1, 5).Select(r => policy.BackoffFor(r).TotalMilliseconds));
    }

    [Fact]
    public async Task Stale_is_retried_at_once_after_the_refresh_callback()
    {
        var time = new ManualTimeProvider();
        var policy = new RetryPolicy { TimeProvider = time };
        int attempts = 0, refreshes = 0;

        int result = await policy.RunAsync(0, (_, _) =>
        {
            attempts++;
            return attempts < 3 ? throw new DaosException(DaosError.Stale, "old map") : ValueTask.FromResult(42);
        }, (_, e, _) =>
        {
            Assert.Equal(DaosError.Stale, e.Error);
            refreshes++;
            return ValueTask.CompletedTask;
        }, default);

        Assert.Equal((42, 3, 2), (result, attempts, refreshes));
    }

    [Fact]
    public async Task Unreachable_waits_the_backoff_on_the_injected_clock()
    {
        var time = new ManualTimeProvider();
        var policy = new RetryPolicy { TimeProvider = time, BackoffInitial = TimeSpan.FromSeconds(1), BackoffMax = TimeSpan.FromSeconds(4) };
        int attempts = 0;

        ValueTask<int> run = policy.RunAsync(0, (_, _) =>
        {
            attempts++;
            return attempts == 1 ? throw new DaosException(DaosError.Unreachable, "gone") : ValueTask.FromResult(7);
        }, null, default);

        Assert.False(run.IsCompleted);
        Assert.Equal(1, attempts);
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(1, attempts);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(7, await run);
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task Retries_are_bounded_and_other_errors_are_not_retried()
    {
        var policy = new RetryPolicy { RetriesMax = 3 };
        int attempts = 0;
        var stale = await Assert.ThrowsAsync<DaosException>(() => policy.RunAsync(0, (_, _) =>
        {
            attempts++;
            return attempts > 0 ? throw new DaosException(DaosError.Stale, "always") : ValueTask.FromResult(0);
        }, null, default).AsTask());
        Assert.Equal((DaosError.Stale, 4), (stale.Error, attempts));

        attempts = 0;
        var invalid = await Assert.ThrowsAsync<DaosException>(() => policy.RunAsync(0, (_, _) =>
        {
            attempts++;
            return attempts > 0 ? throw new DaosException(DaosError.InvalidArgument, "bad") : ValueTask.FromResult(0);
        }, null, default).AsTask());
        Assert.Equal((DaosError.InvalidArgument, 1), (invalid.Error, attempts));
    }
}
