namespace Daos.Vos;

/// <summary>
/// Conditions on an operation, checked against the keys as a read at the operation's epoch sees them and applied
/// atomically with it (nothing else runs on the target between the check and the change). The bits are DAOS's
/// <c>DAOS_COND_*</c> flags: <see cref="InsertOnly"/> and <see cref="UpdateOnly"/> are the akey conditions
/// (<c>DAOS_COND_AKEY_INSERT</c>, <c>DAOS_COND_AKEY_UPDATE</c>). Updates take the insert and update conditions,
/// fetches and reads the fetch conditions, punches <see cref="Punch"/>; any other bit is an invalid argument, as is
/// asking for insert and update of the same key.
/// </summary>
[Flags]
public enum VosCondition
{
    /// <summary>No condition: the operation always applies.</summary>
    None = 0,

    /// <summary>A punch fails with <see cref="DaosError.NonExistent"/> when the key (or object) it punches does not exist at the epoch (<c>DAOS_COND_PUNCH</c>).</summary>
    Punch = 1 << 0,

    /// <summary>An update fails with <see cref="DaosError.Exists"/> when the dkey already exists at the epoch (<c>DAOS_COND_DKEY_INSERT</c>).</summary>
    DkeyInsert = 1 << 1,

    /// <summary>An update fails with <see cref="DaosError.NonExistent"/> when the dkey does not exist at the epoch (<c>DAOS_COND_DKEY_UPDATE</c>).</summary>
    DkeyUpdate = 1 << 2,

    /// <summary>A fetch or read fails with <see cref="DaosError.NonExistent"/> when the dkey does not exist at the epoch (<c>DAOS_COND_DKEY_FETCH</c>).</summary>
    DkeyFetch = 1 << 3,

    /// <summary>An update fails with <see cref="DaosError.Exists"/> when the akey already exists at the epoch (<c>DAOS_COND_AKEY_INSERT</c>).</summary>
    InsertOnly = 1 << 4,

    /// <summary>An update fails with <see cref="DaosError.NonExistent"/> when the akey does not exist at the epoch (<c>DAOS_COND_AKEY_UPDATE</c>).</summary>
    UpdateOnly = 1 << 5,

    /// <summary>A fetch or read fails with <see cref="DaosError.NonExistent"/> when the akey does not exist at the epoch (<c>DAOS_COND_AKEY_FETCH</c>).</summary>
    AkeyFetch = 1 << 6,
}
