namespace Daos.Protocol.Management;

/// <summary>Space per tier: SCM (the metadata heap) and NVMe (the blob store), summed over targets.</summary>
/// <param name="ScmTotalBytes">Heap bytes in total.</param>
/// <param name="ScmFreeBytes">Heap bytes free.</param>
/// <param name="NvmeTotalBytes">Blob bytes in total.</param>
/// <param name="NvmeFreeBytes">Blob bytes free.</param>
/// <param name="Targets">How many targets contributed.</param>
public sealed record PoolSpace(long ScmTotalBytes, long ScmFreeBytes, long NvmeTotalBytes, long NvmeFreeBytes, int Targets)
    : IProtocolMessage<PoolSpace>
{
    /// <summary>Nothing, from no target.</summary>
    public static PoolSpace Zero { get; } = new(0, 0, 0, 0, 0);

    /// <summary>The sum of two.</summary>
    public PoolSpace Add(PoolSpace other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(ScmTotalBytes + other.ScmTotalBytes, ScmFreeBytes + other.ScmFreeBytes, NvmeTotalBytes + other.NvmeTotalBytes,
            NvmeFreeBytes + other.NvmeFreeBytes, Targets + other.Targets);
    }

    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteInt64(ScmTotalBytes);
        writer.WriteInt64(ScmFreeBytes);
        writer.WriteInt64(NvmeTotalBytes);
        writer.WriteInt64(NvmeFreeBytes);
        writer.WriteInt32(Targets);
    }

    /// <inheritdoc/>
    public static PoolSpace Read(ref ProtocolReader reader)
    {
        long scmTotal = Fields.ReadSize(ref reader);
        long scmFree = Fields.ReadSize(ref reader);
        long nvmeTotal = Fields.ReadSize(ref reader);
        long nvmeFree = Fields.ReadSize(ref reader);
        int targets = reader.ReadInt32();
        if (scmFree > scmTotal || nvmeFree > nvmeTotal || targets < 0)
        {
            throw new DaosException(DaosError.Protocol, "space with more free than total bytes, or a negative target count");
        }

        return new PoolSpace(scmTotal, scmFree, nvmeTotal, nvmeFree, targets);
    }
}
