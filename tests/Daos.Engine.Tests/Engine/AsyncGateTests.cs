using Daos.Engine.Engine;
using Daos.Harness.Scheduling;

namespace Daos.Engine.Tests.Engine;

public sealed class AsyncGateTests
{
    [Fact]
    public async Task Waiters_enter_one_at_a_time_in_arrival_order()
    {
        var gate = new AsyncGate();
        await gate.WaitAsync();
        Task second = gate.WaitAsync();
        Task third = gate.WaitAsync();
        Assert.False(second.IsCompleted);

        gate.Release();
        await second;
        Assert.False(third.IsCompleted);
        gate.Release();
        await third;
        gate.Release();
        Assert.True(gate.WaitAsync().IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_cancelled_waiter_is_skipped_and_never_holds_the_gate()
    {
        var gate = new AsyncGate();
        await gate.WaitAsync();
        using var cancel = new CancellationTokenSource();
        Task cancelled = gate.WaitAsync(cancel.Token);
        Task next = gate.WaitAsync();
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        gate.Release();
        await next;
        gate.Release();
        Assert.True(gate.WaitAsync().IsCompletedSuccessfully);
    }

    [Fact]
    public void Releasing_a_free_gate_is_a_bug()
    {
        var gate = new AsyncGate();
        Assert.Throws<InvalidOperationException>(gate.Release);
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    public void Contended_cancellable_waits_resume_on_the_deterministic_scheduler(ulong seed)
    {
        // A SemaphoreSlim's cancellable wait resumes through the thread pool, which the scheduler refuses; the gate's does not.
        var scheduler = new DeterministicScheduler(seed, new DeterministicSchedulerOptions { Output = null });
        var order = new List<int>();
        int thread = 0;
        scheduler.Run(async () =>
        {
            thread = Environment.CurrentManagedThreadId;
            var gate = new AsyncGate();
            using var cancel = new CancellationTokenSource();
            Task[] workers = [.. Enumerable.Range(0, 8).Select(async i =>
            {
                await gate.WaitAsync(cancel.Token);
                try
                {
                    Assert.Equal(thread, Environment.CurrentManagedThreadId);
                    await Task.Delay(TimeSpan.FromMilliseconds(1), scheduler.Time);
                    order.Add(i);
                }
                finally
                {
                    gate.Release();
                }
            })];
            await Task.WhenAll(workers);
        });

        Assert.Equal(8, order.Distinct().Count());
    }
}
