namespace Daos.Transport;

/// <summary>Routes each address to the first of several networks that supports its scheme, so one node can
/// listen on <c>tcp://</c> and <c>inproc://</c> at once.</summary>
public sealed class TransportNetworkSet : ITransportNetwork
{
    private readonly ITransportNetwork[] _networks;

    /// <summary>Combines <paramref name="networks"/>, earlier ones first.</summary>
    public TransportNetworkSet(params ITransportNetwork[] networks)
    {
        ArgumentNullException.ThrowIfNull(networks);
        _networks = [.. networks];
    }

    /// <inheritdoc/>
    public bool Supports(TransportScheme scheme) => Find(scheme) is not null;

    /// <inheritdoc/>
    public ValueTask<ITransportListener> ListenAsync(TransportAddress address, CancellationToken cancellationToken = default) =>
        Require(address).ListenAsync(address, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<ITransportConnection> ConnectAsync(TransportAddress address, CancellationToken cancellationToken = default) =>
        Require(address).ConnectAsync(address, cancellationToken);

    private ITransportNetwork? Find(TransportScheme scheme)
    {
        foreach (ITransportNetwork network in _networks)
        {
            if (network.Supports(scheme))
            {
                return network;
            }
        }

        return null;
    }

    private ITransportNetwork Require(TransportAddress address) =>
        Find(address.Scheme) ?? throw new DaosException(DaosError.InvalidArgument, $"no network serves {address}");
}
