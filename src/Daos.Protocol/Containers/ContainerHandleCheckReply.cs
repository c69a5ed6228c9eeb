using Daos.Protocol.Pools;

namespace Daos.Protocol.Containers;

/// <summary>Pool service to engine: the container a handle opened and its access (a closed or unknown handle answers NoHandle).</summary>
/// <param name="Container">The container uuid.</param>
/// <param name="Access">The handle's access.</param>
public sealed record ContainerHandleCheckReply(Guid Container, HandleAccess Access) : IProtocolMessage<ContainerHandleCheckReply>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteGuid(Container);
        writer.WriteUInt8((byte)Access);
    }

    /// <inheritdoc/>
    public static ContainerHandleCheckReply Read(ref ProtocolReader reader) =>
        new(reader.ReadGuid(), (HandleAccess)reader.ReadEnum((byte)HandleAccess.ReadWrite, (byte)HandleAccess.ReadOnly));
}
