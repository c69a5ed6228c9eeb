namespace Daos.Protocol.Management;

/// <summary>
/// Create a pool: a VOS shard on every target of the chosen ranks, then the pool service on
/// <see cref="ServiceReplicas"/> of them.
/// </summary>
/// <param name="Label">The pool's label (unique in the system, 1..127 bytes).</param>
/// <param name="ScmBytesPerTarget">Metadata (heap) bytes per target; 0: the engine default.</param>
/// <param name="NvmeBytesPerTarget">Bulk data (blob) bytes per target; 0: the engine default.</param>
/// <param name="Ranks">The ranks to use; empty: every joined rank.</param>
/// <param name="ServiceReplicas">Pool service replicas (odd); 0: 2 × svc_rf + 1 with the default svc_rf, clamped to the ranks.</param>
/// <param name="Uuid">
/// The pool's uuid, chosen by the client (message version 2) so that a create retried after an uncertain outcome
/// names the same pool: the service answers a retry with the pool it already made. Empty: the service picks one
/// (and a retry cannot be recognised).
/// </param>
public sealed record PoolCreateRequest(string Label, long ScmBytesPerTarget, long NvmeBytesPerTarget, IReadOnlyList<int> Ranks, int ServiceReplicas,
    Guid Uuid = default)
    : IProtocolMessage<PoolCreateRequest>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteString(Label);
        writer.WriteInt64(ScmBytesPerTarget);
        writer.WriteInt64(NvmeBytesPerTarget);
        Fields.WriteRanks(ref writer, Ranks);
        writer.WriteInt32(ServiceReplicas);
        writer.WriteGuid(Uuid);
    }

    /// <inheritdoc/>
    public static PoolCreateRequest Read(ref ProtocolReader reader)
    {
        string label = Fields.ReadLabel(ref reader);
        long scm = Fields.ReadSize(ref reader);
        long nvme = Fields.ReadSize(ref reader);
        int[] ranks = Fields.ReadRanks(ref reader);
        int replicas = reader.ReadInt32();
        if (replicas is < 0 or > 15)
        {
            throw new DaosException(DaosError.Protocol, $"service replica count {replicas} is outside 0..15");
        }

        Guid uuid = reader.MessageVersion >= 2 ? reader.ReadGuid() : Guid.Empty;
        return new PoolCreateRequest(label, scm, nvme, ranks, replicas, uuid);
    }
}
