namespace Daos.Protocol.Management;

/// <summary>An engine tells the management service it runs: its rank, address and target count. Idempotent.</summary>
/// <param name="Member">The engine's membership record (state Joined).</param>
public sealed record SystemJoinRequest(SystemMember Member) : IProtocolMessage<SystemJoinRequest>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer) => Member.Write(ref writer);

    /// <inheritdoc/>
    public static SystemJoinRequest Read(ref ProtocolReader reader) => new(SystemMember.Read(ref reader));
}
