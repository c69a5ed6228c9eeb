using Daos.Protocol.Management;

namespace Daos.Protocol.Pools;

/// <summary>
/// The pool service's answer to <see cref="PoolRejoinRequest"/>, read linearizably on its leader: the pool's record with
/// its current map and rank table (as <see cref="ProtocolOpcodes.PoolMapPublish"/> sends it) and the uuid of every
/// container the service lists. An engine deletes its VOS containers that are not listed.
/// </summary>
/// <param name="Record">The pool's current record.</param>
/// <param name="Containers">Every container uuid the service lists.</param>
public sealed record PoolRejoinReply(PoolShardCreateRequest Record, IReadOnlyList<Guid> Containers) : IProtocolMessage<PoolRejoinReply>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        Record.Write(ref writer);
        writer.WriteCount(Containers.Count);
        foreach (Guid container in Containers)
        {
            writer.WriteGuid(container);
        }
    }

    /// <inheritdoc/>
    public static PoolRejoinReply Read(ref ProtocolReader reader)
    {
        PoolShardCreateRequest record = PoolShardCreateRequest.Read(ref reader);
        int count = reader.ReadCount(ProtocolLimits.ListEntriesMax, 16);
        var containers = new Guid[count];
        for (int i = 0; i < count; i++)
        {
            containers[i] = reader.ReadGuid();
        }

        return new PoolRejoinReply(record, containers);
    }
}
