namespace Daos.Protocol.Containers;

/// <summary>Every container of a pool.</summary>
/// <param name="Containers">The containers, by label.</param>
public sealed record ContainerListReply(IReadOnlyList<ContainerInfoReply> Containers) : IProtocolMessage<ContainerListReply>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteCount(Containers.Count);
        foreach (ContainerInfoReply container in Containers)
        {
            container.Write(ref writer);
        }
    }

    /// <inheritdoc/>
    public static ContainerListReply Read(ref ProtocolReader reader)
    {
        int count = reader.ReadCount(ProtocolLimits.ListEntriesMax, 16 + 2 + 4 + 4 + 4 + 8);
        var containers = new ContainerInfoReply[count];
        for (int i = 0; i < count; i++)
        {
            containers[i] = ContainerInfoReply.Read(ref reader);
        }

        return new ContainerListReply(containers);
    }
}
