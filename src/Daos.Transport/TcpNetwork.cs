using System.Net;
using System.Net.Sockets;
using Daos.Transport.Tcp;

namespace Daos.Transport;

/// <summary>
/// TCP sockets. Each connection pumps the socket into an input <see cref="System.IO.Pipelines.Pipe"/> and an output
/// pipe into the socket, with the pause thresholds of <see cref="TransportOptions"/> (so a slow reader stops the
/// socket being read, and a slow network makes writers wait). Idle connections hold no receive buffer: the pump
/// waits for data with a zero-byte read before renting one.
/// </summary>
public sealed class TcpNetwork : ITransportNetwork
{
    private readonly TransportOptions _options;

    /// <summary>Creates the network with <paramref name="options"/> (defaults if null).</summary>
    public TcpNetwork(TransportOptions? options = null)
    {
        _options = options ?? new TransportOptions();
        _options.Validate();
    }

    /// <inheritdoc/>
    public bool Supports(TransportScheme scheme) => scheme == TransportScheme.Tcp;

    /// <inheritdoc/>
    public ValueTask<ITransportListener> ListenAsync(TransportAddress address, CancellationToken cancellationToken = default)
    {
        RequireTcp(address);
        IPAddress ip = ResolveListen(address.Host);
        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(ip, address.Port));
            socket.Listen(512);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new DaosException(
                e.SocketErrorCode == SocketError.AddressAlreadyInUse ? DaosError.Exists : DaosError.IO,
                $"cannot listen on {address}: {e.SocketErrorCode}",
                e);
        }

        var bound = (IPEndPoint)socket.LocalEndPoint!;
        var local = new TransportAddress(TransportScheme.Tcp, address.Host, bound.Port);
        return ValueTask.FromResult<ITransportListener>(new TcpListenerAdapter(socket, local, _options));
    }

    /// <inheritdoc/>
    public async ValueTask<ITransportConnection> ConnectAsync(TransportAddress address, CancellationToken cancellationToken = default)
    {
        RequireTcp(address);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (IPAddress.TryParse(address.Host, out IPAddress? ip))
            {
                await socket.ConnectAsync(new IPEndPoint(ip, address.Port), cancellationToken);
            }
            else
            {
                await socket.ConnectAsync(address.Host, address.Port, cancellationToken);
            }
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new DaosException(DaosError.Unreachable, $"cannot connect to {address}: {e.SocketErrorCode}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return TcpConnection.Start(socket, _options);
    }

    private static void RequireTcp(TransportAddress address)
    {
        if (address.Scheme != TransportScheme.Tcp)
        {
            ThrowHelper.InvalidArgument($"TCP network cannot serve {address}");
        }
    }

    private static IPAddress ResolveListen(string host) =>
        host switch
        {
            "*" or "0.0.0.0" => IPAddress.Any,
            "localhost" => IPAddress.Loopback,
            _ when IPAddress.TryParse(host, out IPAddress? ip) => ip,
            _ => Dns.GetHostAddresses(host) is { Length: > 0 } found
                ? found[0]
                : throw new DaosException(DaosError.InvalidArgument, $"cannot resolve '{host}'"),
        };
}
