using System.Net;
using System.Net.Sockets;

namespace Daos.Bench.Transport;

/// <summary>
/// The physical-limit baseline: a loopback TCP server that writes back whatever it reads, and a client that sends
/// length-prefixed messages and reads them back. No framing library, no pipes, no dispatch: what the kernel and
/// .NET sockets cost on this machine.
/// </summary>
internal sealed class RawEchoServer : IDisposable
{
    private readonly Socket _listener;
    private readonly List<Socket> _accepted = [];

    public RawEchoServer()
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _ = AcceptLoopAsync();
    }

    public int Port { get; }

    public void Dispose()
    {
        _listener.Dispose();
        lock (_accepted)
        {
            foreach (Socket s in _accepted)
            {
                s.Dispose();
            }
        }
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                Socket socket = await _listener.AcceptAsync();
                socket.NoDelay = true;
                lock (_accepted)
                {
                    _accepted.Add(socket);
                }

                _ = EchoAsync(socket);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    private static async Task EchoAsync(Socket socket)
    {
        byte[] buffer = new byte[256 * 1024];
        try
        {
            while (true)
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None);
                if (n == 0)
                {
                    return;
                }

                int sent = 0;
                while (sent < n)
                {
                    sent += await socket.SendAsync(buffer.AsMemory(sent, n - sent), SocketFlags.None);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }
}
