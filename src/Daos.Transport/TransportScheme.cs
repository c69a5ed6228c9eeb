namespace Daos.Transport;

/// <summary>The kind of network an address belongs to.</summary>
public enum TransportScheme
{
    /// <summary><c>tcp://host:port</c>: TCP sockets.</summary>
    Tcp,

    /// <summary><c>inproc://name</c>: pipes inside one process.</summary>
    InProcess,

    /// <summary><c>sim://name</c>: the harness's simulated network.</summary>
    Simulated,
}
