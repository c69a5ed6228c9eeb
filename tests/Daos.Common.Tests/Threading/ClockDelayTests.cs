using Daos.Harness.Time;
using Daos.Threading;

namespace Daos.Common.Tests.Threading;

public sealed class ClockDelayTests
{
    [Fact]
    public void A_wait_ends_when_the_clock_reaches_it_and_not_before()
    {
        var time = new ManualTimeProvider();
        Task wait = ClockDelay.WaitAsync(time, TimeSpan.FromMilliseconds(10));

        time.Advance(TimeSpan.FromMilliseconds(9));
        Assert.False(wait.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(wait.IsCompletedSuccessfully);
    }

    [Fact]
    public void A_wait_of_no_time_is_complete_at_once()
    {
        Assert.True(ClockDelay.WaitAsync(new ManualTimeProvider(), TimeSpan.Zero).IsCompletedSuccessfully);
        Assert.True(ClockDelay.WaitAsync(new ManualTimeProvider(), TimeSpan.FromSeconds(-1)).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Cancelling_ends_the_wait_as_cancelled_and_a_later_tick_changes_nothing()
    {
        var time = new ManualTimeProvider();
        using var cancel = new CancellationTokenSource();
        Task wait = ClockDelay.WaitAsync(time, TimeSpan.FromSeconds(1), cancel.Token);

        await cancel.CancelAsync();
        time.Advance(TimeSpan.FromSeconds(2));

        Assert.True(wait.IsCanceled);
    }

    [Fact]
    public void A_cancelled_token_is_refused_before_any_timer_starts()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.Throws<OperationCanceledException>(() => { _ = ClockDelay.WaitAsync(new ManualTimeProvider(), TimeSpan.FromSeconds(1), cancel.Token); });
    }
}
