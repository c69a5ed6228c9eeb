namespace Daos.Transport;

/// <summary>
/// The network seam: listen on and connect to <see cref="TransportAddress"/>es of the schemes it supports. The RPC
/// layer above is the same for every implementation (<see cref="TcpNetwork"/>, <see cref="InProcessNetwork"/>,
/// the harness's simulated network), so engine code runs unchanged across machines, in one process and in the
/// deterministic simulation.
/// </summary>
public interface ITransportNetwork
{
    /// <summary>Whether this network serves addresses of <paramref name="scheme"/>.</summary>
    bool Supports(TransportScheme scheme);

    /// <summary>Starts listening on <paramref name="address"/>.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.Exists"/> if the address is taken;
    /// <see cref="DaosError.InvalidArgument"/> for a scheme this network does not serve.</exception>
    ValueTask<ITransportListener> ListenAsync(TransportAddress address, CancellationToken cancellationToken = default);

    /// <summary>Opens a connection to <paramref name="address"/>.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.Unreachable"/> if nothing answers there.</exception>
    ValueTask<ITransportConnection> ConnectAsync(TransportAddress address, CancellationToken cancellationToken = default);
}
