using Daos.Transport;

namespace Daos.Harness.Network;

/// <summary>Accepts simulated connections; the backlog is bounded like a socket's.</summary>
internal sealed class SimulatedListener(SimulatedNetwork network, string host, TransportAddress address) : ITransportListener
{
    private const int BacklogMax = 512;

    private readonly Queue<SimulatedConnection> _backlog = new();
    private TaskCompletionSource<ITransportConnection?>? _waiter;
    private bool _disposed;

    public TransportAddress LocalAddress { get; } = address;

    public void Offer(SimulatedConnection connection)
    {
        if (_disposed || _backlog.Count >= BacklogMax)
        {
            connection.Abort();
            return;
        }

        if (_waiter is { } waiter)
        {
            _waiter = null;
            waiter.TrySetResult(connection);
            return;
        }

        _backlog.Enqueue(connection);
    }

    public ValueTask<ITransportConnection?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        if (_backlog.TryDequeue(out SimulatedConnection? ready))
        {
            return ValueTask.FromResult<ITransportConnection?>(ready);
        }

        if (_disposed)
        {
            return ValueTask.FromResult<ITransportConnection?>(null);
        }

        var waiter = new TaskCompletionSource<ITransportConnection?>();
        _waiter = waiter;
        if (cancellationToken.CanBeCanceled)
        {
            cancellationToken.Register(static s => ((TaskCompletionSource<ITransportConnection?>)s!).TrySetResult(null), waiter);
        }

        return new ValueTask<ITransportConnection?>(waiter.Task);
    }

    public ValueTask DisposeAsync()
    {
        Close();
        return ValueTask.CompletedTask;
    }

    public void Close()
    {
        _disposed = true;
        network.StopListening(host, this);
        _waiter?.TrySetResult(null);
        _waiter = null;
        while (_backlog.TryDequeue(out SimulatedConnection? pending))
        {
            pending.Abort();
        }
    }
}
