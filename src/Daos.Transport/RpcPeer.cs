using System.Runtime.CompilerServices;
using Daos.Transport.Rpc;
using Microsoft.Extensions.Logging;

namespace Daos.Transport;

/// <summary>
/// Requests to one remote address. Connects on first use and again after the connection is lost or the remote
/// drains, waiting between failed attempts with exponential backoff bounded by
/// <see cref="TransportOptions.ReconnectBackoffMax"/>. Requests in flight when a connection is lost fail with
/// <see cref="DaosError.Unreachable"/>; they are not resent, because only the caller knows whether a request is
/// safe to repeat.
/// </summary>
/// <remarks>Thread-safe; many requests may be in flight at once (up to
/// <see cref="TransportOptions.InFlightRequestsMax"/>, after which senders wait).</remarks>
public sealed class RpcPeer
{
    private readonly RpcNode _node;
    private readonly Lock _gate = new();
    private RpcConnection? _current;
    private Task<RpcConnection?>? _connecting;
    private int _failures;
    private long _nextAttemptTimestamp;
    private Exception? _lastError;

    internal RpcPeer(RpcNode node, TransportAddress address)
    {
        _node = node;
        Address = address;
    }

    /// <summary>Where this peer's requests go.</summary>
    public TransportAddress Address { get; }

    /// <summary>Whether a usable connection is open now.</summary>
    public bool IsConnected => _current is { IsUsable: true };

    /// <summary>
    /// Sends a request and waits for the response. The returned response owns a pooled body: dispose it.
    /// </summary>
    /// <param name="opcode">The handler's opcode.</param>
    /// <param name="target">The destination target, or <see cref="FrameHeader.AnyTarget"/>.</param>
    /// <param name="body">The request body (at most <see cref="TransportOptions.FrameBodyMaxBytes"/>).</param>
    /// <param name="token">A credential or handle token for the remote to check.</param>
    /// <param name="timeout">Time allowed for connecting, sending and the response; the node's default if null.</param>
    /// <param name="cancellationToken">Abandons the request.</param>
    /// <exception cref="DaosException"><see cref="DaosError.Timeout"/>, <see cref="DaosError.Unreachable"/>, or
    /// <see cref="DaosError.Overflow"/> for a body over the limit.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<RpcResponse> SendAsync(
        ushort opcode,
        uint target,
        ReadOnlyMemory<byte> body,
        ulong token = 0,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(opcode, TransportOpcodes.FirstApplication);
        if (body.Length > _node.Options.FrameBodyMaxBytes)
        {
            ThrowHelper.Throw(DaosError.Overflow, $"body of {body.Length} bytes exceeds the frame limit");
        }

        TimeProvider time = _node.Options.TimeProvider;
        TimeSpan allowed = timeout ?? _node.Options.RequestTimeout;
        long deadline = time.GetTimestamp() + (long)(allowed.TotalSeconds * time.TimestampFrequency);
        RpcConnection connection = _current is { IsUsable: true } open
            ? open
            : await ConnectAsync(deadline, cancellationToken);
        return await connection.SendRequestAsync(opcode, target, token, body, deadline, cancellationToken);
    }

    private async ValueTask<RpcConnection> ConnectAsync(long deadline, CancellationToken cancellationToken)
    {
        TimeProvider time = _node.Options.TimeProvider;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Task<RpcConnection?> attempt;
            TimeSpan wait = TimeSpan.Zero;
            lock (_gate)
            {
                if (_current is { IsUsable: true } open)
                {
                    return open;
                }

                if (_connecting is null || _connecting.IsCompleted)
                {
                    long now = time.GetTimestamp();
                    if (now < _nextAttemptTimestamp)
                    {
                        wait = time.GetElapsedTime(now, Math.Min(_nextAttemptTimestamp, deadline));
                        attempt = Task.FromResult<RpcConnection?>(null);
                    }
                    else
                    {
                        attempt = _connecting = ConnectOnceAsync();
                    }
                }
                else
                {
                    attempt = _connecting;
                }
            }

            if (wait > TimeSpan.Zero)
            {
                // Task.Delay truncates to whole milliseconds (and completes at once below one), so round up: a
                // truncated wait wakes before the backoff ends and, under a clock that moves only when nothing
                // runs (the deterministic scheduler), this loop would spin forever without time advancing.
                await Task.Delay(RoundUpToMilliseconds(wait), time, cancellationToken);
            }
            else if (await attempt is { } connection)
            {
                return connection;
            }

            if (time.GetTimestamp() >= deadline)
            {
                throw new DaosException(DaosError.Unreachable, $"cannot reach {Address}: {_lastError?.Message ?? "timed out"}", _lastError);
            }
        }
    }

    /// <summary>The smallest whole number of milliseconds not shorter than <paramref name="wait"/>.</summary>
    internal static TimeSpan RoundUpToMilliseconds(TimeSpan wait) =>
        TimeSpan.FromTicks((wait.Ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond * TimeSpan.TicksPerMillisecond);

    private async Task<RpcConnection?> ConnectOnceAsync()
    {
        try
        {
            ITransportConnection transport = await _node.Network.ConnectAsync(Address);
            RpcConnection connection = _node.Attach(transport, accepted: false)
                ?? throw new DaosException(DaosError.Canceled, "node is shutting down");
            lock (_gate)
            {
                _current = connection;
                _failures = 0;
                _nextAttemptTimestamp = 0;
            }

            return connection;
        }
        catch (Exception e) when (e is DaosException or IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            TimeProvider time = _node.Options.TimeProvider;
            TimeSpan backoff;
            int failures;
            lock (_gate)
            {
                failures = ++_failures;
                double factor = Math.Pow(2, Math.Min(failures - 1, 30));
                backoff = TimeSpan.FromTicks((long)Math.Min(
                    _node.Options.ReconnectBackoffInitial.Ticks * factor, _node.Options.ReconnectBackoffMax.Ticks));
                _nextAttemptTimestamp = time.GetTimestamp() + (long)(backoff.TotalSeconds * time.TimestampFrequency);
                _lastError = e;
            }

            _node.Logger.ConnectFailed(Address, failures, backoff);
            return null;
        }
    }
}
