namespace Daos.Protocol.Objects;

/// <summary>The condition of an update, checked atomically by the target (DAOS_COND_*).</summary>
public enum UpdateCondition : byte
{
    /// <summary>Always write.</summary>
    None = 0,

    /// <summary>Fail with <see cref="DaosError.Exists"/> if the akey already holds a value.</summary>
    InsertOnly = 1,

    /// <summary>Fail with <see cref="DaosError.NonExistent"/> unless the akey already holds a value.</summary>
    UpdateOnly = 2,
}
