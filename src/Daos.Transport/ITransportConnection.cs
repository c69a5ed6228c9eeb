using System.IO.Pipelines;

namespace Daos.Transport;

/// <summary>
/// One established byte stream between two nodes, as a pair of pipes. The RPC layer reads frames from
/// <see cref="IDuplexPipe.Input"/> and writes them to <see cref="IDuplexPipe.Output"/>; completing both ends
/// closes the connection. Implementations: TCP sockets, in-process pipes, the harness's simulated links.
/// </summary>
public interface ITransportConnection : IDuplexPipe, IAsyncDisposable
{
    /// <summary>A description of the far end for logs (an address or a simulated link name).</summary>
    string RemoteDescription { get; }

    /// <summary>Tears the connection down at once; pending reads and writes fail or complete.</summary>
    void Abort();
}
