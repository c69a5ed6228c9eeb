using Daos.Harness.Scheduling;
using Daos.Transport;

namespace Daos.Harness.Network;

/// <summary>
/// Transport timers for nodes on the <see cref="SimulatedNetwork"/>, in simulated time on one
/// <see cref="DeterministicScheduler"/>: heartbeats every 100 ms and a dead peer noticed within a second, fast
/// reconnects, and a coarser timer tick than real networks need (every tick of every connection is a scheduler step).
/// What differs between uses (how soon a request gives up, the tick, the drain on close) is a parameter.
/// </summary>
public static class SimulatedTransport
{
    /// <summary>Options whose clock and loop are <paramref name="scheduler"/>'s.</summary>
    /// <param name="scheduler">The scheduler every node runs on.</param>
    /// <param name="requestTimeout">How long a request waits for its answer before it fails with Timeout.</param>
    /// <param name="timerResolution">The connections' timer tick.</param>
    /// <param name="reconnectBackoffMax">The longest pause between reconnect attempts.</param>
    /// <param name="drainTimeout">How long closing a node waits for requests in flight.</param>
    public static TransportOptions Options(DeterministicScheduler scheduler, TimeSpan requestTimeout, TimeSpan timerResolution,
        TimeSpan reconnectBackoffMax, TimeSpan drainTimeout)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        return new TransportOptions
        {
            TimeProvider = scheduler.Time,
            LoopContext = scheduler.SynchronizationContext,
            HeartbeatInterval = TimeSpan.FromMilliseconds(100),
            HeartbeatTimeout = TimeSpan.FromSeconds(1),
            TimerResolution = timerResolution,
            RequestTimeout = requestTimeout,
            ReconnectBackoffInitial = TimeSpan.FromMilliseconds(5),
            ReconnectBackoffMax = reconnectBackoffMax,
            DrainTimeout = drainTimeout,
        };
    }
}
