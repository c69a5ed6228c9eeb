namespace Daos.Protocol.Management;

/// <summary>Find a pool by label or uuid: answered with its <see cref="PoolLocation"/>, or NonExistent.</summary>
/// <param name="LabelOrUuid">The pool's label or uuid.</param>
public sealed record PoolLookupRequest(string LabelOrUuid) : IProtocolMessage<PoolLookupRequest>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer) => writer.WriteString(LabelOrUuid);

    /// <inheritdoc/>
    public static PoolLookupRequest Read(ref ProtocolReader reader) => new(Fields.ReadName(ref reader));
}
