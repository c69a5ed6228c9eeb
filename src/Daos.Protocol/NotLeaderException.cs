namespace Daos.Protocol;

/// <summary>A service request reached a replica that does not lead; <see cref="LeaderRank"/> is its hint.</summary>
public sealed class NotLeaderException : DaosException
{
    /// <summary>Creates the exception.</summary>
    public NotLeaderException(string message, int leaderRank)
        : base(DaosError.NotLeader, message)
    {
        LeaderRank = leaderRank;
    }

    /// <summary>The rank believed to lead, or -1 when the replier knows of none.</summary>
    public int LeaderRank { get; }
}
