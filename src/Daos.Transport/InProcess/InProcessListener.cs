using System.Threading.Channels;

namespace Daos.Transport.InProcess;

/// <summary>A named listener; connections wait in a bounded backlog until accepted.</summary>
internal sealed class InProcessListener(TransportAddress localAddress, InProcessNetwork network) : ITransportListener
{
    private const int BacklogMax = 512;

    private readonly Channel<InProcessConnection> _backlog = Channel.CreateBounded<InProcessConnection>(
        new BoundedChannelOptions(BacklogMax) { SingleReader = false, SingleWriter = false, FullMode = BoundedChannelFullMode.Wait });

    public TransportAddress LocalAddress { get; } = localAddress;

    public bool Offer(InProcessConnection connection) => _backlog.Writer.TryWrite(connection);

    public async ValueTask<ITransportConnection?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _backlog.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    public ValueTask DisposeAsync()
    {
        network.Remove(this);
        if (_backlog.Writer.TryComplete())
        {
            while (_backlog.Reader.TryRead(out InProcessConnection? pending))
            {
                pending.Abort();
            }
        }

        return ValueTask.CompletedTask;
    }
}
