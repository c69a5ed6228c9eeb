namespace Daos.Protocol;

/// <summary>
/// The key of one mutating service call, chosen by the client and sent unchanged with every retry of that call:
/// the client's uuid and its own sequence number. The service records key -> outcome in the same replicated
/// transaction as the operation and answers a retry with the recorded outcome instead of applying it again.
/// </summary>
/// <param name="Client">The calling client's uuid; <see cref="Guid.Empty"/> for no key.</param>
/// <param name="Sequence">The client's sequence number of the call, from 1 up; 0 only with no key.</param>
public readonly record struct OperationKey(Guid Client, ulong Sequence)
{
    /// <summary>No key: the call is applied each time it arrives (bodies older than version 3 carry none).</summary>
    public static OperationKey None => default;

    /// <summary>True when this is <see cref="None"/>.</summary>
    public bool IsNone => Client == Guid.Empty;

    /// <summary>Writes the key (16-byte uuid, then u64 sequence).</summary>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteGuid(Client);
        writer.WriteUInt64(Sequence);
    }

    /// <summary>
    /// Reads a key from a version 3 or newer body; older bodies have none. A key with a uuid and sequence 0, or a
    /// sequence without a uuid, is <see cref="DaosError.Protocol"/>.
    /// </summary>
    public static OperationKey Read(ref ProtocolReader reader) => ReadSince(ref reader, 3);

    /// <summary>
    /// Reads a key from a message that gained it in <paramref name="sinceVersion"/>: bodies older than that carry
    /// none and answer <see cref="None"/>. The same checks as <see cref="Read"/>.
    /// </summary>
    public static OperationKey ReadSince(ref ProtocolReader reader, int sinceVersion)
    {
        if (reader.MessageVersion < sinceVersion)
        {
            return None;
        }

        Guid client = reader.ReadGuid();
        ulong sequence = reader.ReadUInt64();
        if ((client == Guid.Empty) != (sequence == 0))
        {
            throw new DaosException(DaosError.Protocol, "an operation key needs both a client uuid and a sequence number above 0");
        }

        return new OperationKey(client, sequence);
    }

    /// <inheritdoc/>
    public override string ToString() => IsNone ? "none" : $"{Client:N}/{Sequence}";
}
