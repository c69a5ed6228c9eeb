namespace Daos.Protocol.Pools;

/// <summary>
/// Connect to a pool: the pool service records <see cref="Handle"/> (chosen by the client, as in DAOS) in RDB and
/// answers with the pool map. Connecting again with the same handle is idempotent.
/// </summary>
/// <param name="Pool">The pool uuid.</param>
/// <param name="Handle">The new pool handle.</param>
/// <param name="Access">Read-only or read-write.</param>
/// <param name="User">The connecting principal, for the record.</param>
/// <param name="Key">The call's operation key (version 4), the same on every retry: a retry delivered after a
/// disconnect answers the recorded connect instead of connecting the handle again.</param>
public sealed record PoolConnectRequest(Guid Pool, Guid Handle, HandleAccess Access, string User, OperationKey Key = default) : IProtocolMessage<PoolConnectRequest>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteGuid(Pool);
        writer.WriteGuid(Handle);
        writer.WriteUInt8((byte)Access);
        writer.WriteString(User);
        Key.Write(ref writer);
    }

    /// <inheritdoc/>
    public static PoolConnectRequest Read(ref ProtocolReader reader) =>
        new(reader.ReadGuid(), reader.ReadGuid(), (HandleAccess)reader.ReadEnum((byte)HandleAccess.ReadWrite, (byte)HandleAccess.ReadOnly),
            Fields.ReadName(ref reader), OperationKey.ReadSince(ref reader, 4));
}
