namespace Daos.Protocol.Management;

/// <summary>The system membership: its name and every rank.</summary>
/// <param name="SystemName">The system's name.</param>
/// <param name="Members">The ranks in rank order.</param>
public sealed record SystemQueryReply(string SystemName, IReadOnlyList<SystemMember> Members) : IProtocolMessage<SystemQueryReply>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteString(SystemName);
        writer.WriteCount(Members.Count);
        foreach (SystemMember member in Members)
        {
            member.Write(ref writer);
        }
    }

    /// <inheritdoc/>
    public static SystemQueryReply Read(ref ProtocolReader reader)
    {
        string name = Fields.ReadName(ref reader);
        int count = reader.ReadCount(ProtocolLimits.RanksMax, 4 + 2 + 4 + 1);
        var members = new SystemMember[count];
        for (int i = 0; i < count; i++)
        {
            members[i] = SystemMember.Read(ref reader);
        }

        return new SystemQueryReply(name, members);
    }
}
