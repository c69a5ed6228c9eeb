using System.Globalization;

namespace Daos.Transport;

/// <summary>
/// Where a node listens: <c>tcp://host:port</c>, <c>inproc://name</c> or <c>sim://name</c>. For TCP,
/// <see cref="Host"/> is a host name or IP literal and <see cref="Port"/> may be 0 when listening (the system picks
/// one; the listener reports the real address). For the other schemes <see cref="Host"/> is the name and
/// <see cref="Port"/> is 0.
/// </summary>
/// <param name="Scheme">Which network.</param>
/// <param name="Host">Host (TCP) or name (in-process, simulated).</param>
/// <param name="Port">TCP port; 0 otherwise.</param>
public readonly record struct TransportAddress(TransportScheme Scheme, string Host, int Port)
{
    /// <summary>Longest host or name accepted.</summary>
    public const int HostLengthMax = 255;

    /// <summary>A TCP address.</summary>
    public static TransportAddress Tcp(string host, int port) => Create(TransportScheme.Tcp, host, port);

    /// <summary>An in-process address.</summary>
    public static TransportAddress InProcess(string name) => Create(TransportScheme.InProcess, name, 0);

    /// <summary>A simulated-network address.</summary>
    public static TransportAddress Simulated(string name) => Create(TransportScheme.Simulated, name, 0);

    /// <summary>Parses a URI.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> for anything else.</exception>
    public static TransportAddress Parse(string uri)
    {
        if (!TryParse(uri, out TransportAddress address))
        {
            ThrowHelper.InvalidArgument($"not a transport address: '{uri}'");
        }

        return address;
    }

    /// <summary>Parses a URI, returning false for anything malformed.</summary>
    public static bool TryParse(string? uri, out TransportAddress address)
    {
        address = default;
        if (string.IsNullOrEmpty(uri))
        {
            return false;
        }

        int separator = uri.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0)
        {
            return false;
        }

        string scheme = uri[..separator];
        string rest = uri[(separator + 3)..];
        if (rest.Length == 0 || rest.Length > HostLengthMax + 6 || rest.Contains('/', StringComparison.Ordinal))
        {
            return false;
        }

        switch (scheme)
        {
            case "inproc":
                return TryCreateNamed(TransportScheme.InProcess, rest, out address);
            case "sim":
                return TryCreateNamed(TransportScheme.Simulated, rest, out address);
            case "tcp":
                int colon = rest.LastIndexOf(':');
                if (colon <= 0 || colon == rest.Length - 1)
                {
                    return false;
                }

                string host = rest[..colon];
                if (host.StartsWith('[') && host.EndsWith(']'))
                {
                    host = host[1..^1];
                }

                if (!int.TryParse(rest.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port)
                    || port > 65535 || !IsValidHost(host))
                {
                    return false;
                }

                address = new TransportAddress(TransportScheme.Tcp, host, port);
                return true;
            default:
                return false;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Scheme switch
    {
        TransportScheme.Tcp => Host.Contains(':', StringComparison.Ordinal)
            ? string.Create(CultureInfo.InvariantCulture, $"tcp://[{Host}]:{Port}")
            : string.Create(CultureInfo.InvariantCulture, $"tcp://{Host}:{Port}"),
        TransportScheme.InProcess => "inproc://" + Host,
        _ => "sim://" + Host,
    };

    private static TransportAddress Create(TransportScheme scheme, string host, int port)
    {
        if (!IsValidHost(host) || port < 0 || port > 65535 || (scheme != TransportScheme.Tcp && port != 0))
        {
            ThrowHelper.InvalidArgument($"invalid {scheme} address '{host}:{port}'");
        }

        return new TransportAddress(scheme, host, port);
    }

    private static bool TryCreateNamed(TransportScheme scheme, string name, out TransportAddress address)
    {
        address = default;
        if (!IsValidHost(name) || name.Contains(':', StringComparison.Ordinal))
        {
            return false;
        }

        address = new TransportAddress(scheme, name, 0);
        return true;
    }

    private static bool IsValidHost(string? host)
    {
        if (string.IsNullOrEmpty(host) || host.Length > HostLengthMax)
        {
            return false;
        }

        foreach (char c in host)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or ':'))
            {
                return false;
            }
        }

        return true;
    }
}
