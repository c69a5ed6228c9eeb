using System.Net.Sockets;

namespace Daos.Transport.Tcp;

/// <summary>A listening socket handing out <see cref="TcpConnection"/>s.</summary>
internal sealed class TcpListenerAdapter(Socket socket, TransportAddress localAddress, TransportOptions options)
    : ITransportListener
{
    private int _disposed;

    public TransportAddress LocalAddress { get; } = localAddress;

    public async ValueTask<ITransportConnection?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (Volatile.Read(ref _disposed) == 0)
        {
            Socket accepted;
            try
            {
                accepted = await socket.AcceptAsync(cancellationToken);
            }
            catch (ObjectDisposedException)
            {
                return null;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted)
            {
                return null;
            }
            catch (SocketException)
            {
                // A connection reset before it was accepted affects only that connection: keep listening.
                continue;
            }

            accepted.NoDelay = true;
            return TcpConnection.Start(accepted, options);
        }

        return null;
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            socket.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}
