using System.Net;
using System.Net.Sockets;

namespace Daos.Harness.Network;

/// <summary>Free TCP ports on loopback, for engines and servers that must know their addresses before they start.</summary>
public static class LoopbackPorts
{
    /// <summary>
    /// <paramref name="count"/> distinct ports the kernel reports free right now. Every probe socket is held until all
    /// ports are drawn (so no two are the same) and then released, so another process may still take one before the
    /// caller listens on it: callers retry with fresh ports when a bind fails.
    /// </summary>
    public static int[] Free(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var probes = new List<Socket>(count);
        try
        {
            var ports = new int[count];
            for (int i = 0; i < count; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                probes.Add(socket);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                ports[i] = ((IPEndPoint)socket.LocalEndPoint!).Port;
            }

            return ports;
        }
        finally
        {
            foreach (Socket socket in probes)
            {
                socket.Dispose();
            }
        }
    }
}
