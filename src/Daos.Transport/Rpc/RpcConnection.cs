using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Daos.Buffers;
using Daos.Transport.Messages;
using Microsoft.Extensions.Logging;

namespace Daos.Transport.Rpc;

/// <summary>
/// The RPC protocol on one transport connection, in both directions: it sends requests and matches their
/// responses, and it serves the peer's requests with the node's handlers.
/// </summary>
/// <remarks>
/// Threads: the receive loop is the only reader of the input pipe; writers take <see cref="_sendLock"/> for a whole
/// frame and its flush; the pending table and pools are guarded by <see cref="_gate"/>. A timer (from the options'
/// <see cref="TimeProvider"/>) expires requests, sends heartbeats and closes a silent connection.
/// </remarks>
internal sealed partial class RpcConnection : IDisposable
{
    private readonly ITransportConnection _transport;
    private readonly RpcNode _node;
    private readonly Lock _gate = new();
    private readonly Dictionary<ulong, PendingRequest> _pending = [];
    private readonly Stack<PendingRequest> _pendingPool = new();
    private readonly Stack<ServerCall> _callPool = new();
    private readonly List<PendingRequest> _expired = [];
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly SemaphoreSlim _outboundSlots;
    private readonly SemaphoreSlim _inboundSlots;
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeProvider _time;
    private readonly long _heartbeatIntervalTicks;
    private readonly long _heartbeatTimeoutTicks;
    private ITimer? _timer;
    private ulong _nextRequestId;
    private ulong _lastReceivedRequestId;
    private ulong _pingSequence;
    private long _lastReceivedTimestamp;
    private long _lastSentTimestamp;
    private int _inboundActive;
    private int _closedFlag;
    private bool _draining;
    private bool _peerDraining;

    public RpcConnection(ITransportConnection transport, RpcNode node)
    {
        _transport = transport;
        _node = node;
        Options = node.Options;
        Logger = node.Logger;
        _time = Options.TimeProvider;
        _outboundSlots = new SemaphoreSlim(Options.InFlightRequestsMax, Options.InFlightRequestsMax);
        _inboundSlots = new SemaphoreSlim(Options.InFlightRequestsMax, Options.InFlightRequestsMax);
        _heartbeatIntervalTicks = ToTimestampTicks(Options.HeartbeatInterval);
        _heartbeatTimeoutTicks = ToTimestampTicks(Options.HeartbeatTimeout);
        RemoteDescription = transport.RemoteDescription;
    }

    public TransportOptions Options { get; }

    public ILogger Logger { get; }

    public string RemoteDescription { get; }

    public CancellationToken ClosingToken => _closing.Token;

    /// <summary>Completes when the connection has closed.</summary>
    public Task Closed => _closed.Task;

    /// <summary>Why the connection closed, once it has.</summary>
    public string? CloseReason { get; private set; }

    public bool IsClosed => Volatile.Read(ref _closedFlag) != 0;

    /// <summary>Whether new requests may be sent here: open and the peer has not announced it is draining.</summary>
    public bool IsUsable => !IsClosed && !Volatile.Read(ref _peerDraining);

    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    public int InboundActive => Volatile.Read(ref _inboundActive);

    public void Start()
    {
        long now = _time.GetTimestamp();
        _lastReceivedTimestamp = now;
        _lastSentTimestamp = now;
        _timer = _time.CreateTimer(static s => ((RpcConnection)s!).OnTick(), this, Options.TimerResolution, Options.TimerResolution);
        _ = Loops.Start(ReceiveLoopAsync, Options.LoopContext);
        Logger.ConnectionOpened(RemoteDescription);
    }

    /// <summary>Sends a request and waits for its response, its deadline, cancellation or the connection's end.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<RpcResponse> SendRequestAsync(
        ushort opcode, uint target, ulong token, ReadOnlyMemory<byte> body, long deadlineTimestamp, CancellationToken cancellationToken)
    {
        if (!_outboundSlots.Wait(0, CancellationToken.None))
        {
            await _outboundSlots.WaitAsync(cancellationToken);
        }

        PendingRequest pending;
        ulong id;
        lock (_gate)
        {
            if (IsClosed)
            {
                _outboundSlots.Release();
                throw new DaosException(DaosError.Unreachable, $"connection to {RemoteDescription} closed: {CloseReason}");
            }

            pending = _pendingPool.Count > 0 ? _pendingPool.Pop() : new PendingRequest(this);
            id = ++_nextRequestId;
            pending.RequestId = id;
            pending.DeadlineTimestamp = deadlineTimestamp;
            pending.CancellationToken = cancellationToken;
            _pending.Add(id, pending);
        }

        short version = pending.Version;
        if (cancellationToken.CanBeCanceled)
        {
            pending.Registration = cancellationToken.UnsafeRegister(static (state, ct) =>
            {
                var p = (PendingRequest)state!;
                p.Owner.FailPending(p, new OperationCanceledException(ct));
            }, pending);
        }

        try
        {
            var header = new FrameHeader(opcode, FrameFlags.None, id, target, DaosError.None, token, body.Length);
            await WriteFrameAsync(header, body);
        }
        catch (Exception e) when (e is DaosException or InvalidOperationException)
        {
            FailPending(pending, e as DaosException ?? new DaosException(DaosError.Unreachable, e.Message, e));
        }

        return await new ValueTask<RpcResponse>(pending, version);
    }

    /// <summary>Answers a request the peer sent.</summary>
    public ValueTask SendResponseAsync(in FrameHeader request, DaosError status, ReadOnlyMemory<byte> body)
    {
        var header = new FrameHeader(request.Opcode, FrameFlags.Response, request.RequestId, request.Target, status, 0, body.Length);
        return WriteFrameAsync(header, body);
    }

    /// <summary>Announces a drain: the peer sends nothing new; requests already received are still served.</summary>
    public async ValueTask BeginDrainAsync()
    {
        ulong last;
        lock (_gate)
        {
            _draining = true;
            last = _lastReceivedRequestId;
        }

        try
        {
            await WriteMessageAsync(TransportOpcodes.GoAway, new GoAwayMessage(last, DaosError.Canceled));
        }
        catch (Exception e) when (e is DaosException or InvalidOperationException)
        {
            // Already closing.
        }
    }

    /// <summary>Whether nothing is in flight either way.</summary>
    public bool IsQuiet => InboundActive == 0 && PendingCount == 0;

    /// <summary>Closes after flushing what has been written.</summary>
    public async ValueTask CloseGracefullyAsync(string reason)
    {
        if (IsClosed)
        {
            return;
        }

        // A writer stuck on a peer that stopped reading must not hold the shutdown: wait for the send lock at
        // most the drain timeout (on the options' clock), then close hard.
        using (var patience = new CancellationTokenSource(Options.DrainTimeout, _time))
        {
            try
            {
                await _sendLock.WaitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                Close(reason + " (send stalled)");
                return;
            }
        }

        try
        {
            await _transport.Output.CompleteAsync();
        }
        finally
        {
            _sendLock.Release();
        }

        Close(reason, graceful: true);
        await _transport.DisposeAsync();
    }

    /// <summary>Closes at once: fails pending requests, cancels handlers and aborts the transport.</summary>
    public void Close(string reason, bool graceful = false)
    {
        if (Interlocked.Exchange(ref _closedFlag, 1) != 0)
        {
            return;
        }

        CloseReason = reason;
        Logger.ConnectionClosed(RemoteDescription, reason);
        _timer?.Dispose();
        List<PendingRequest> orphans;
        lock (_gate)
        {
            orphans = [.. _pending.Values];
            _pending.Clear();
        }

        var lost = new DaosException(DaosError.Unreachable, $"connection to {RemoteDescription} closed: {reason}");
        foreach (PendingRequest p in orphans)
        {
            _outboundSlots.Release();
            p.Fail(lost);
        }

        try
        {
            _closing.Cancel();
        }
        catch (AggregateException)
        {
            // A handler's cancellation callback threw; the connection is closing regardless.
        }

        if (!graceful)
        {
            _transport.Abort();
        }

        _transport.Input.CancelPendingRead();
        _node.OnConnectionClosed(this);
        _closed.TrySetResult();
    }

    /// <summary>Closes at once (the semaphores and token source need no disposal beyond that).</summary>
    public void Dispose() => Close("disposed");

    internal void ReturnPending(PendingRequest pending)
    {
        lock (_gate)
        {
            if (_pendingPool.Count < Options.InFlightRequestsMax)
            {
                _pendingPool.Push(pending);
            }
        }
    }

    internal void FailPending(PendingRequest pending, Exception error)
    {
        if (TryRemove(pending))
        {
            _outboundSlots.Release();
            pending.Fail(error);
        }
    }

    internal void OnServerCallFinished(ServerCall call)
    {
        lock (_gate)
        {
            if (_callPool.Count < Options.InFlightRequestsMax)
            {
                _callPool.Push(call);
                call = null!;
            }
        }

        call?.Dispose();
        _inboundSlots.Release();
        Interlocked.Decrement(ref _inboundActive);
    }

    private bool TryRemove(PendingRequest pending)
    {
        lock (_gate)
        {
            return _pending.TryGetValue(pending.RequestId, out PendingRequest? found)
                && ReferenceEquals(found, pending)
                && _pending.Remove(pending.RequestId);
        }
    }

    private long ToTimestampTicks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);
}
