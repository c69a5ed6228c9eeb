namespace Daos.Engine.Rdb.Raft;

/// <summary>The three shapes of membership change.</summary>
public enum ConfigChangeKind : byte
{
    /// <summary>Add or remove exactly one voter; the new configuration takes effect alone (Raft thesis 4.1).</summary>
    Single = 1,

    /// <summary>
    /// Enter joint consensus: decisions need a majority of the old voters and of the new ones until the leader
    /// appends the matching <see cref="LeaveJoint"/> (it does so on its own once this entry is applied).
    /// </summary>
    EnterJoint = 2,

    /// <summary>Leave joint consensus: the new voters alone decide from here on.</summary>
    LeaveJoint = 3,

    /// <summary>
    /// The first configuration of a new group, entry 1 of every founding member's log; applies only to a replica
    /// with no configuration yet, which is how a replica added later learns the founding voters.
    /// </summary>
    Bootstrap = 4,
}
