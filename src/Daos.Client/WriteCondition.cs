namespace Daos.Client;

/// <summary>A condition checked atomically by the target before a write, as DAOS's <c>DAOS_COND_*</c> flags.</summary>
public enum WriteCondition
{
    /// <summary>Write unconditionally.</summary>
    None = 0,

    /// <summary>Fail with <see cref="DaosError.Exists"/> if the key already holds a visible value.</summary>
    InsertOnly = 1,

    /// <summary>Fail with <see cref="DaosError.NonExistent"/> if the key holds no visible value.</summary>
    UpdateOnly = 2,
}
