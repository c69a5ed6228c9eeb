namespace Daos.Harness;

/// <summary>How the engines and clients of a <see cref="TestCluster"/> reach each other.</summary>
public enum TestClusterNetwork
{
    /// <summary>In-process pipes (<c>inproc://</c>): no sockets, real concurrency, no fault injection.</summary>
    InProcess = 0,

    /// <summary>The harness's simulated network (<c>sim://</c>): delays, loss, partitions.</summary>
    Simulated = 1,

    /// <summary>Loopback TCP (<c>tcp://127.0.0.1</c>) with ports chosen by the system.</summary>
    Tcp = 2,
}
