namespace Daos.Protocol.Containers;

/// <summary>Pool service to every engine of the pool: a handle closed or a container was destroyed.</summary>
/// <param name="Pool">The pool uuid.</param>
/// <param name="Container">The container uuid.</param>
/// <param name="Handle">The handle (HandleClosed), or empty.</param>
/// <param name="Kind">What happened.</param>
public sealed record ContainerShardEventRequest(Guid Pool, Guid Container, Guid Handle, ShardEventKind Kind)
    : IProtocolMessage<ContainerShardEventRequest>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteGuid(Pool);
        writer.WriteGuid(Container);
        writer.WriteGuid(Handle);
        writer.WriteUInt8((byte)Kind);
    }

    /// <inheritdoc/>
    public static ContainerShardEventRequest Read(ref ProtocolReader reader) =>
        new(reader.ReadGuid(), reader.ReadGuid(), reader.ReadGuid(),
            (ShardEventKind)reader.ReadEnum((byte)ShardEventKind.ContainerDestroyed, (byte)ShardEventKind.HandleClosed));
}
