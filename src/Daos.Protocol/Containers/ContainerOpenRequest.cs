using Daos.Protocol.Pools;

namespace Daos.Protocol.Containers;

/// <summary>Open a container by label or uuid with a handle the client chose; the handle is recorded in RDB.</summary>
/// <param name="Pool">The pool uuid.</param>
/// <param name="PoolHandle">A connected pool handle.</param>
/// <param name="LabelOrUuid">The container's label or uuid.</param>
/// <param name="Handle">The new container handle.</param>
/// <param name="Access">Read-only or read-write (read-write needs a read-write pool handle).</param>
/// <param name="Key">The call's operation key (version 4), the same on every retry: a retry delivered after the handle
/// was closed answers the recorded open instead of opening it again.</param>
public sealed record ContainerOpenRequest(Guid Pool, Guid PoolHandle, string LabelOrUuid, Guid Handle, HandleAccess Access, OperationKey Key = default)
    : IProtocolMessage<ContainerOpenRequest>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteGuid(Pool);
        writer.WriteGuid(PoolHandle);
        writer.WriteString(LabelOrUuid);
        writer.WriteGuid(Handle);
        writer.WriteUInt8((byte)Access);
        Key.Write(ref writer);
    }

    /// <inheritdoc/>
    public static ContainerOpenRequest Read(ref ProtocolReader reader) =>
        new(reader.ReadGuid(), reader.ReadGuid(), Fields.ReadName(ref reader), reader.ReadGuid(),
            (HandleAccess)reader.ReadEnum((byte)HandleAccess.ReadWrite, (byte)HandleAccess.ReadOnly), OperationKey.ReadSince(ref reader, 4));
}
