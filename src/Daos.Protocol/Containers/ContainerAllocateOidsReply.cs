namespace Daos.Protocol.Containers;

/// <summary>The reserved range: numbers First .. First + Count − 1 belong to the requester alone.</summary>
/// <param name="First">The first reserved number.</param>
public sealed record ContainerAllocateOidsReply(ulong First) : IProtocolMessage<ContainerAllocateOidsReply>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer) => writer.WriteUInt64(First);

    /// <inheritdoc/>
    public static ContainerAllocateOidsReply Read(ref ProtocolReader reader) => new(reader.ReadUInt64());
}
