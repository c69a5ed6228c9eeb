using Daos.Client.Retries;
using Daos.Transport;

namespace Daos.Client;

/// <summary>How a <see cref="DaosClient"/> finds the system and behaves on it.</summary>
public sealed record DaosClientOptions
{
    /// <summary>The DAOS system name (<c>name:</c> in daos_server.yml); requests to another system are refused.</summary>
    public string SystemName { get; init; } = "daos_server";

    /// <summary>Management service endpoints as URIs (<c>tcp://host:port</c>, <c>inproc://name</c>); tried in order.</summary>
    public IReadOnlyList<string> ManagementEndpoints { get; init; } = [];

    /// <summary>Who the client acts as.</summary>
    public Credentials Credentials { get; init; } = Credentials.Administrator;

    /// <summary>Bounded retries on Stale, Unreachable and NotLeader.</summary>
    public RetryPolicy Retry { get; init; } = RetryPolicy.Default;

    /// <summary>
    /// The network to reach engines over; null makes a TCP network. In-process and simulated clusters pass theirs.
    /// </summary>
    public ITransportNetwork? Network { get; init; }

    /// <summary>
    /// Where new pool and container handles and container uuids come from; null draws random ones. A simulation passes a
    /// seeded source so that the same seed sends the same bytes.
    /// </summary>
    public Func<Guid>? UuidSource { get; init; }

    /// <summary>Transport settings (frame size, timeouts, clock); null uses the defaults.</summary>
    public TransportOptions? Transport { get; init; }

    /// <summary>
    /// The largest payload one object request carries; larger array I/O is split into several requests sent
    /// concurrently. Must leave room for headers within <see cref="TransportOptions.FrameBodyMaxBytes"/>.
    /// </summary>
    public int IoRequestBytesMax { get; init; } = 1024 * 1024;

    /// <summary>Object requests one client keeps in flight at most (large array I/O is split and windowed).</summary>
    public int IoRequestsInFlightMax { get; init; } = 32;

    /// <summary>The largest single value accepted, checked before anything is sent.</summary>
    public int SingleValueBytesMax { get; init; } = 1024 * 1024;

    /// <summary>The largest dkey or akey accepted, checked before anything is sent.</summary>
    public int KeyBytesMax { get; init; } = 4096;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> naming the bad setting.</exception>
    public void Validate()
    {
        if (string.IsNullOrEmpty(SystemName))
        {
            ThrowHelper.InvalidArgument("SystemName must not be empty");
        }

        if (ManagementEndpoints is null || ManagementEndpoints.Count == 0)
        {
            ThrowHelper.InvalidArgument("ManagementEndpoints needs at least one endpoint, as tcp://host:port");
        }

        foreach (string endpoint in ManagementEndpoints!)
        {
            if (!TransportAddress.TryParse(endpoint, out _))
            {
                ThrowHelper.InvalidArgument($"management endpoint '{endpoint}' is not a transport URI such as tcp://host:10001");
            }
        }

        ArgumentNullException.ThrowIfNull(Credentials);
        ArgumentNullException.ThrowIfNull(Retry);
        Retry.Validate();
        if (IoRequestBytesMax < 4096 || IoRequestsInFlightMax < 1 || SingleValueBytesMax < 1 || KeyBytesMax < 1)
        {
            ThrowHelper.InvalidArgument("IoRequestBytesMax >= 4096, IoRequestsInFlightMax, SingleValueBytesMax and KeyBytesMax >= 1 are required");
        }
    }
}
