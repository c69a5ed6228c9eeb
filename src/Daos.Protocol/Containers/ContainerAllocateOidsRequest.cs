namespace Daos.Protocol.Containers;

/// <summary>Reserve <see cref="Count"/> consecutive object id numbers (the low 64 bits of new object ids).</summary>
/// <param name="Pool">The pool uuid.</param>
/// <param name="Handle">The container handle.</param>
/// <param name="Count">How many (1..2^20).</param>
/// <param name="Key">The call's operation key (version 4), the same on every retry: a retry answers the range the call reserved.</param>
public sealed record ContainerAllocateOidsRequest(Guid Pool, Guid Handle, int Count, OperationKey Key = default) : IProtocolMessage<ContainerAllocateOidsRequest>
{
    /// <summary>The most ids one request reserves.</summary>
    public const int CountMax = 1 << 20;

    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteGuid(Pool);
        writer.WriteGuid(Handle);
        writer.WriteInt32(Count);
        Key.Write(ref writer);
    }

    /// <inheritdoc/>
    public static ContainerAllocateOidsRequest Read(ref ProtocolReader reader)
    {
        Guid pool = reader.ReadGuid();
        Guid handle = reader.ReadGuid();
        int count = reader.ReadInt32();
        if (count is < 1 or > CountMax)
        {
            throw new DaosException(DaosError.Protocol, $"object id count {count} is outside 1..{CountMax}");
        }

        return new ContainerAllocateOidsRequest(pool, handle, count, OperationKey.ReadSince(ref reader, 4));
    }
}
