namespace Daos.Protocol.Management;

/// <summary>A rank's state in the system membership (DAOS's member states, reduced to what exists here).</summary>
public enum RankState : byte
{
    /// <summary>Known but not heard from since the management service started.</summary>
    Unknown = 0,

    /// <summary>Running and joined.</summary>
    Joined = 1,

    /// <summary>Stopped in an orderly way.</summary>
    Stopped = 2,

    /// <summary>Excluded by the administrator.</summary>
    Excluded = 3,
}
