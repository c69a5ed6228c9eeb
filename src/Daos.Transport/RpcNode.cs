using System.Collections.Concurrent;
using Daos.Transport.Rpc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Daos.Transport;

/// <summary>
/// One node's RPC endpoint: handlers registered by opcode, listeners on any of the network's schemes, and peers
/// (outgoing connections with reconnect). Every connection, accepted or opened, serves requests in both
/// directions. Requests run on the executor the <see cref="IRpcExecutorSelector"/> picks for their target.
/// </summary>
/// <remarks>Thread-safe. Register handlers before listening; <see cref="ShutdownAsync"/> drains.</remarks>
public sealed class RpcNode : IAsyncDisposable
{
    private readonly ConcurrentDictionary<ushort, RpcHandler> _handlers = new();
    private readonly ConcurrentDictionary<TransportAddress, RpcPeer> _peers = new();
    private readonly ConcurrentDictionary<RpcConnection, long> _connections = new();
    private long _attachCount;
    private readonly List<ITransportListener> _listeners = [];
    private readonly CancellationTokenSource _shutdown = new();
    private int _connectionCount;
    private int _shutdownStarted;

    /// <summary>Creates a node.</summary>
    /// <param name="network">The network (or <see cref="TransportNetworkSet"/>) to listen and connect on.</param>
    /// <param name="options">Limits and timers; defaults if null.</param>
    /// <param name="executors">Picks the executor per target; everything inline if null.</param>
    /// <param name="logger">Where connection events go; nowhere if null.</param>
    public RpcNode(ITransportNetwork network, TransportOptions? options = null, IRpcExecutorSelector? executors = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        Network = network;
        Options = options ?? new TransportOptions();
        Options.Validate();
        Executors = executors ?? RpcExecutors.Everywhere(RpcExecutors.Inline);
        Logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The network this node uses.</summary>
    public ITransportNetwork Network { get; }

    /// <summary>The node's limits and timers.</summary>
    public TransportOptions Options { get; }

    /// <summary>Connections open now, accepted and outgoing.</summary>
    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    internal IRpcExecutorSelector Executors { get; }

    internal ILogger Logger { get; }

    /// <summary>Registers the handler for <paramref name="opcode"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The opcode is reserved by the transport.</exception>
    /// <exception cref="DaosException"><see cref="DaosError.Exists"/> if the opcode already has a handler.</exception>
    public void RegisterHandler(ushort opcode, RpcHandler handler)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(opcode, TransportOpcodes.FirstApplication);
        ArgumentNullException.ThrowIfNull(handler);
        if (!_handlers.TryAdd(opcode, handler))
        {
            ThrowHelper.Throw(DaosError.Exists, $"opcode {opcode} already has a handler");
        }
    }

    /// <summary>
    /// Removes the handler of <paramref name="opcode"/> if it is still <paramref name="handler"/> (a handler registered
    /// since by someone else stays); later requests for the opcode are answered as for one nobody handles. True when
    /// removed.
    /// </summary>
    public bool UnregisterHandler(ushort opcode, RpcHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return _handlers.TryRemove(new KeyValuePair<ushort, RpcHandler>(opcode, handler));
    }

    /// <summary>Starts accepting connections on <paramref name="address"/>; returns the address bound.</summary>
    public async ValueTask<TransportAddress> ListenAsync(TransportAddress address, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _shutdownStarted) != 0, this);
        ITransportListener listener = await Network.ListenAsync(address, cancellationToken);
        lock (_listeners)
        {
            _listeners.Add(listener);
        }

        Logger.Listening(listener.LocalAddress);
        _ = Loops.Start(() => AcceptLoopAsync(listener), Options.LoopContext);
        return listener.LocalAddress;
    }

    /// <summary>The peer at <paramref name="address"/>; it connects on first use and reconnects after failures.</summary>
    public RpcPeer GetPeer(TransportAddress address) => _peers.GetOrAdd(address, static (a, node) => new RpcPeer(node, a), this);

    /// <summary>
    /// Drains and closes: stops accepting, tells every peer to send nothing new (a go-away frame), refuses new
    /// requests with <see cref="DaosError.Canceled"/>, waits up to <see cref="TransportOptions.DrainTimeout"/> for
    /// requests in flight in both directions, then closes every connection.
    /// </summary>
    public async ValueTask ShutdownAsync()
    {
        if (Interlocked.Exchange(ref _shutdownStarted, 1) != 0)
        {
            return;
        }

        // Cancel, not CancelAsync: the callbacks must run here, not on the thread pool (the deterministic scheduler).
        _shutdown.Cancel();
        ITransportListener[] listeners;
        lock (_listeners)
        {
            listeners = [.. _listeners];
            _listeners.Clear();
        }

        foreach (ITransportListener listener in listeners)
        {
            await listener.DisposeAsync();
        }

        // In the order they were attached, not hash order: a simulated shutdown must close them the same way every run.
        RpcConnection[] connections = [.. _connections.OrderBy(c => c.Value).Select(c => c.Key)];
        Logger.Draining(connections.Length);
        foreach (RpcConnection connection in connections)
        {
            await connection.BeginDrainAsync();
        }

        TimeProvider time = Options.TimeProvider;
        long deadline = time.GetTimestamp() + (long)(Options.DrainTimeout.TotalSeconds * time.TimestampFrequency);
        foreach (RpcConnection connection in connections)
        {
            while (!connection.IsClosed && !connection.IsQuiet && time.GetTimestamp() < deadline)
            {
                await Task.Delay(RpcPeer.RoundUpToMilliseconds(Options.TimerResolution), time);
            }

            await connection.CloseGracefullyAsync("node shut down");
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ShutdownAsync();

    internal bool TryGetHandler(ushort opcode, out RpcHandler handler) => _handlers.TryGetValue(opcode, out handler!);

    internal RpcConnection? Attach(ITransportConnection transport, bool accepted)
    {
        if (Volatile.Read(ref _shutdownStarted) != 0)
        {
            transport.Abort();
            return null;
        }

        if (Interlocked.Increment(ref _connectionCount) > Options.ConnectionsMax)
        {
            Interlocked.Decrement(ref _connectionCount);
            Logger.ConnectionRefused(transport.RemoteDescription, Options.ConnectionsMax);
            transport.Abort();
            if (!accepted)
            {
                ThrowHelper.Throw(DaosError.Busy, $"this node already has {Options.ConnectionsMax} connections");
            }

            return null;
        }

        var connection = new RpcConnection(transport, this);
        _connections.TryAdd(connection, Interlocked.Increment(ref _attachCount));
        connection.Start();
        return connection;
    }

    internal void OnConnectionClosed(RpcConnection connection)
    {
        if (_connections.TryRemove(connection, out _))
        {
            Interlocked.Decrement(ref _connectionCount);
        }
    }

    private async Task AcceptLoopAsync(ITransportListener listener)
    {
        try
        {
            while (true)
            {
                ITransportConnection? transport = await listener.AcceptAsync(_shutdown.Token);
                if (transport is null)
                {
                    return;
                }

                Attach(transport, accepted: true);
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
        catch (Exception e)
        {
            // Nothing escapes the listener: log and stop this one accept loop.
            Logger.ListenerFailed(listener.LocalAddress, e);
        }
    }
}
