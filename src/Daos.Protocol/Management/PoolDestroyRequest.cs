namespace Daos.Protocol.Management;

/// <summary>Destroy a pool; without <see cref="Force"/> a pool with connected handles is refused with Busy.</summary>
/// <param name="LabelOrUuid">The pool's label or uuid.</param>
/// <param name="Force">Destroy even with handles connected.</param>
public sealed record PoolDestroyRequest(string LabelOrUuid, bool Force) : IProtocolMessage<PoolDestroyRequest>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteString(LabelOrUuid);
        writer.WriteBoolean(Force);
    }

    /// <inheritdoc/>
    public static PoolDestroyRequest Read(ref ProtocolReader reader) => new(Fields.ReadName(ref reader), reader.ReadBoolean());
}
