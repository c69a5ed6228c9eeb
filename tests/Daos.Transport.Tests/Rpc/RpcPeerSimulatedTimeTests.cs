using Daos.Harness.Network;
using Daos.Harness.Scheduling;

namespace Daos.Transport.Tests.Rpc;

/// <summary>
/// <see cref="RpcPeer"/> reconnect backoff under the deterministic scheduler, whose clock moves only when nothing is
/// ready. A backoff wait that is not a whole number of milliseconds used to be truncated by Task.Delay (to zero
/// below one millisecond, which completes at once), so the connect loop woke before the backoff ended and spun
/// forever inside one timer callback without simulated time advancing.
/// </summary>
public sealed class RpcPeerSimulatedTimeTests
{
    [Theory]
    [InlineData(0.5)]
    [InlineData(2.5)]
    [InlineData(4.75)]
    public void Backoff_waits_of_fractional_milliseconds_end_with_Unreachable(double offsetMs)
    {
        string? failure = null;
        var thread = new Thread(() => failure = Run(offsetMs)) { IsBackground = true };
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(10)), $"offset {offsetMs} ms: the connect loop did not finish (spinning)");
        Assert.True(failure is null, failure);
    }

    private static string? Run(double offsetMs)
    {
        var scheduler = new DeterministicScheduler(1, new DeterministicSchedulerOptions { Output = null });
        var transport = new TransportOptions
        {
            TimeProvider = scheduler.Time,
            LoopContext = scheduler.SynchronizationContext,
            TimerResolution = TimeSpan.FromMilliseconds(5),
            RequestTimeout = TimeSpan.FromMilliseconds(200),
            ReconnectBackoffInitial = TimeSpan.FromMilliseconds(5),
            ReconnectBackoffMax = TimeSpan.FromMilliseconds(50),
        };
        var network = new SimulatedNetwork(scheduler, transportOptions: transport);
        return scheduler.Run(async () =>
        {
            var node = new RpcNode(network.Host("client"), transport);
            RpcPeer peer = node.GetPeer(TransportAddress.Simulated("nobody"));
            // The first request fails to connect at t=0 and sets the next attempt 5 ms later; the second arrives
            // at a fractional offset, so its backoff wait is not a whole number of milliseconds.
            Task<DaosError> first = SendAsync(peer);
            // Not Task.Delay: it would truncate the offset to whole milliseconds.
            var arrived = new TaskCompletionSource();
            using ITimer timer = scheduler.Time.CreateTimer(
                _ => arrived.SetResult(), null, TimeSpan.FromTicks((long)(offsetMs * TimeSpan.TicksPerMillisecond)), Timeout.InfiniteTimeSpan);
            await arrived.Task;
            Task<DaosError> second = SendAsync(peer);
            DaosError[] errors = await Task.WhenAll(first, second);
            await node.DisposeAsync();
            return errors.All(e => e == DaosError.Unreachable)
                ? null
                : $"offset {offsetMs} ms: expected Unreachable twice, got {string.Join(", ", errors)} ({scheduler.Summary})";
        });
    }

    private static async Task<DaosError> SendAsync(RpcPeer peer)
    {
        try
        {
            using RpcResponse response = await peer.SendAsync(RpcTestNodes.Echo, 0, ReadOnlyMemory<byte>.Empty);
            return DaosError.None;
        }
        catch (DaosException e)
        {
            return e.Error;
        }
    }
}
