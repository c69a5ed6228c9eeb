namespace Daos.Transport;

/// <summary>
/// Limits, timers and buffer thresholds for networks and RPC nodes. Every queue and window in the transport is
/// bounded by one of these. Defaults suit a storage node on a LAN; tests shorten the timers.
/// </summary>
public sealed class TransportOptions
{
    /// <summary>Largest frame body accepted or sent (default 4 MiB). A peer announcing more is disconnected.</summary>
    public int FrameBodyMaxBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Requests a node may have outstanding on one connection (default 256). Senders past it wait; a
    /// peer past it is not read from until requests complete (backpressure rather than memory growth).</summary>
    public int InFlightRequestsMax { get; init; } = 256;

    /// <summary>Connections a node accepts at once (default 4096); later ones are closed with a logged reason.</summary>
    public int ConnectionsMax { get; init; } = 4096;

    /// <summary>Timeout for a request that does not name its own (default 30 s).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A connection that has sent nothing for this long sends a heartbeat (default 1 s).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A connection that has received no complete frame for this long is closed (default 5 s). It also
    /// bounds how long a slow sender may take over one frame.</summary>
    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often each connection checks deadlines and heartbeats (default 50 ms); request timeouts are
    /// accurate to this.</summary>
    public TimeSpan TimerResolution { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>First wait after a failed connect (default 10 ms); doubled per failure up to
    /// <see cref="ReconnectBackoffMax"/>.</summary>
    public TimeSpan ReconnectBackoffInitial { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Longest wait between connect attempts (default 1 s).</summary>
    public TimeSpan ReconnectBackoffMax { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a shutdown waits for requests in flight before closing anyway (default 5 s).</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The clock for every timer (heartbeats, timeouts, backoff); the harness passes simulated time.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Where the node's own loops (accepting, receiving, heartbeats) run: the thread pool when null (the default).
    /// The harness passes its deterministic scheduler's context so a whole cluster runs on one thread.
    /// </summary>
    public SynchronizationContext? LoopContext { get; init; }

    /// <summary>Unread bytes a connection buffers from the network before it stops reading (Pipe pause
    /// threshold). Default: one largest frame plus 64 KiB, the least that lets a whole frame arrive.</summary>
    public long InputPauseThresholdBytes => FrameHeader.SizeBytes + (long)FrameBodyMaxBytes + (64 * 1024);

    /// <summary>Unsent bytes a connection buffers before writers wait (Pipe pause threshold, default 1 MiB).</summary>
    public long OutputPauseThresholdBytes { get; init; } = 1024 * 1024;

    /// <summary>Checks the options are coherent.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is zero, negative or inconsistent.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(FrameBodyMaxBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(FrameBodyMaxBytes, 1 << 30);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(InFlightRequestsMax);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ConnectionsMax);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RequestTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HeartbeatInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HeartbeatTimeout, HeartbeatInterval);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(TimerResolution, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ReconnectBackoffInitial, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(ReconnectBackoffMax, ReconnectBackoffInitial);
        ArgumentOutOfRangeException.ThrowIfLessThan(DrainTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(OutputPauseThresholdBytes, 4096);
        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}
