namespace Daos.Client;

/// <summary>The membership state of a rank, as <c>dmg system query</c> prints it.</summary>
public enum RankState
{
    /// <summary>Unknown to the management service.</summary>
    Unknown = 0,

    /// <summary>Running and a member of the system.</summary>
    Joined = 1,

    /// <summary>Stopped in an orderly way.</summary>
    Stopped = 2,

    /// <summary>Lost without an orderly stop.</summary>
    Excluded = 3,
}
