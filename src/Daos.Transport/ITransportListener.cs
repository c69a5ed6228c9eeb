namespace Daos.Transport;

/// <summary>Accepts incoming connections on one address.</summary>
public interface ITransportListener : IAsyncDisposable
{
    /// <summary>The address actually bound (for TCP with port 0, the port the system chose).</summary>
    TransportAddress LocalAddress { get; }

    /// <summary>Waits for the next connection; returns null once the listener is disposed.</summary>
    ValueTask<ITransportConnection?> AcceptAsync(CancellationToken cancellationToken = default);
}
