using System.Diagnostics;

namespace Daos.Architecture.Tests;

/// <summary>
/// Uses every banned API on purpose, so that a test can prove the scanner catches them. Never called.
/// </summary>
internal static class NonDeterministicFixture
{
    public static async Task<long> UseEverythingBannedAsync()
    {
        long sum = DateTime.UtcNow.Ticks + DateTime.Now.Ticks;
        sum += Stopwatch.StartNew().ElapsedTicks;
        sum += Environment.TickCount64;
        sum += Random.Shared.Next() + new Random().Next();
        sum += Guid.NewGuid().GetHashCode();
        await Task.Delay(1);
        await Task.Run(() => { });
        Thread.Sleep(1);
        ThreadPool.QueueUserWorkItem(_ => { });
        Parallel.For(0, 1, _ => { });
        sum += HashCode.Combine(1, 2);
        sum += TimeProvider.System.GetUtcNow().Ticks;
        return sum;
    }
}
