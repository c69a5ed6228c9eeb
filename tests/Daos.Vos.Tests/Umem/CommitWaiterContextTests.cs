using Daos.Harness.Scheduling;
using Daos.Vos.Umem;
using static Daos.Vos.Tests.Umem.HeapTestKit;

namespace Daos.Vos.Tests.Umem;

/// <summary>
/// Group-committed transactions awaited the way VOS awaits them (<c>ConfigureAwait(false)</c>, through nested async
/// methods) on a heap whose owner runs on the deterministic scheduler: every continuation stays on the scheduler's
/// thread, so a simulated engine that commits through the WAL's flush scheduler stays deterministic.
/// </summary>
public sealed class CommitWaiterContextTests
{
    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void Commit_continuations_resume_on_the_owner_scheduler_not_the_thread_pool(ulong seed)
    {
        var scheduler = new DeterministicScheduler(seed, new DeterministicSchedulerOptions { Output = null });
        var resumedOn = new List<int>();
        int ownerThread = 0;
        int flushes = 0;

        // Run throws if any work was posted from another thread (a continuation that went to the thread pool).
        (long barriers, ulong trace) = scheduler.Run(async () =>
        {
            ownerThread = Environment.CurrentManagedThreadId;
            using UmemHeap heap = Create(NewMedium(), Options(time: scheduler.Time, scheduler: (work, state) =>
            {
                flushes++;
                scheduler.SynchronizationContext.Post(s => work(s), state);
            }));
            var commits = new List<Task>();
            for (int round = 0; round < 4; round++)
            {
                for (int i = 0; i < 8; i++)
                {
                    commits.Add(CommitNestedAsync(heap, (8 * round) + i, resumedOn));
                }

                await Task.WhenAll(commits);
            }

            return (heap.WalBarrierCount, scheduler.TraceHash);
        });

        Assert.True(flushes >= 1, $"seed {seed}: the commits never went through the flush scheduler");
        Assert.True(barriers >= 1 && barriers <= 4 + 1, $"seed {seed}: {barriers} barriers for 4 rounds of group commit");
        Assert.Equal(2 * 32, resumedOn.Count);
        Assert.All(resumedOn, thread => Assert.True(thread == ownerThread, $"seed {seed}: a commit resumed on thread {thread}, not the owner's {ownerThread} ({trace:x16})"));
    }

    private static async Task CommitNestedAsync(UmemHeap heap, int slot, List<int> resumedOn)
    {
        await CommitAsync(heap, slot, resumedOn).ConfigureAwait(false);
        resumedOn.Add(Environment.CurrentManagedThreadId);
    }

    private static async Task CommitAsync(UmemHeap heap, int slot, List<int> resumedOn)
    {
        UmemTransaction tx = heap.Begin();
        tx.Write(UmemHeap.RootOffset + (8 * slot), (long)slot);
        await tx.CommitAsync().ConfigureAwait(false);
        resumedOn.Add(Environment.CurrentManagedThreadId);
    }
}
