using Daos.Transport.Messages;

namespace Daos.Transport.Rpc;

/// <summary>The periodic tick: request deadlines, heartbeats, silent peers.</summary>
internal sealed partial class RpcConnection
{
    private int _ticking;

    private void OnTick()
    {
        if (IsClosed || Interlocked.Exchange(ref _ticking, 1) != 0)
        {
            return;
        }

        try
        {
            long now = _time.GetTimestamp();
            ExpireRequests(now);
            if (now - Volatile.Read(ref _lastReceivedTimestamp) > _heartbeatTimeoutTicks)
            {
                Close($"no complete frame received for {Options.HeartbeatTimeout.TotalMilliseconds:F0} ms");
                return;
            }

            if (now - Volatile.Read(ref _lastSentTimestamp) >= _heartbeatIntervalTicks && _sendLock.CurrentCount > 0)
            {
                _ = SendHeartbeatAsync(now);
            }
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }

    private void ExpireRequests(long now)
    {
        lock (_gate)
        {
            foreach (PendingRequest p in _pending.Values)
            {
                if (p.DeadlineTimestamp <= now)
                {
                    _expired.Add(p);
                }
            }

            foreach (PendingRequest p in _expired)
            {
                _pending.Remove(p.RequestId);
            }
        }

        foreach (PendingRequest p in _expired)
        {
            _outboundSlots.Release();
            p.Fail(new DaosException(DaosError.Timeout, $"request {p.RequestId} to {RemoteDescription} timed out"));
        }

        _expired.Clear();
    }

    private async Task SendHeartbeatAsync(long now)
    {
        try
        {
            await WriteMessageAsync(TransportOpcodes.Ping, new PingMessage(++_pingSequence, now));
        }
        catch (Exception e) when (e is DaosException or InvalidOperationException or OperationCanceledException)
        {
            // The connection is closing; the receive loop records why.
        }
    }
}
