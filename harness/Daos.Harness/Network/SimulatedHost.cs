using Daos.Transport;

namespace Daos.Harness.Network;

/// <summary>One host's view of a <see cref="SimulatedNetwork"/>.</summary>
internal sealed class SimulatedHost(SimulatedNetwork network, string name) : ITransportNetwork
{
    public bool Supports(TransportScheme scheme) => scheme == TransportScheme.Simulated;

    public ValueTask<ITransportListener> ListenAsync(TransportAddress address, CancellationToken cancellationToken = default)
    {
        if (address.Scheme != TransportScheme.Simulated || !string.Equals(address.Host, name, StringComparison.Ordinal))
        {
            ThrowHelper.InvalidArgument($"host {name} can only listen on sim://{name}, not {address}");
        }

        var listener = new SimulatedListener(network, name, address);
        network.Listen(name, listener);
        return ValueTask.FromResult<ITransportListener>(listener);
    }

    public ValueTask<ITransportConnection> ConnectAsync(TransportAddress address, CancellationToken cancellationToken = default)
    {
        if (address.Scheme != TransportScheme.Simulated)
        {
            ThrowHelper.InvalidArgument($"simulated network cannot serve {address}");
        }

        SimulatedListener? listener = network.FindListener(address.Host);
        if (listener is null || !network.IsOpen(name, address.Host) || !network.IsOpen(address.Host, name))
        {
            throw new DaosException(DaosError.Unreachable, $"{name} cannot reach {address}");
        }

        var client = new SimulatedConnection(network, name, address.Host);
        var server = new SimulatedConnection(network, address.Host, name);
        client.Peer = server;
        server.Peer = client;
        client.Start();
        server.Start();
        listener.Offer(server);
        return ValueTask.FromResult<ITransportConnection>(client);
    }
}
