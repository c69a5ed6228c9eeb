namespace Daos.Protocol.Management;

/// <summary>Destroy a pool; without <see cref="Force"/> a pool with connected handles is refused with Busy.</summary>
/// <param name="LabelOrUuid">The pool's label or uuid.</param>
/// <param name="Force">Destroy even with handles connected.</param>
/// <param name="Key">The call's operation key (version 4), the same on every retry: a destroy delivered again after
/// its call returned answers its first outcome and cannot destroy a pool created since under the same label.</param>
public sealed record PoolDestroyRequest(string LabelOrUuid, bool Force, OperationKey Key = default) : IProtocolMessage<PoolDestroyRequest>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteString(LabelOrUuid);
        writer.WriteBoolean(Force);
        Key.Write(ref writer);
    }

    /// <inheritdoc/>
    public static PoolDestroyRequest Read(ref ProtocolReader reader) =>
        new(Fields.ReadName(ref reader), reader.ReadBoolean(), OperationKey.ReadSince(ref reader, 4));
}
