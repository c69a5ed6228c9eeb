namespace Daos.Vos;

/// <summary>A condition on a single-value update, checked against the akey as a read at the update's epoch sees it.</summary>
public enum VosCondition
{
    /// <summary>No condition: the update always applies.</summary>
    None,

    /// <summary>Fails with <see cref="DaosError.Exists"/> when the akey already exists at the epoch.</summary>
    InsertOnly,

    /// <summary>Fails with <see cref="DaosError.NonExistent"/> when the akey does not exist at the epoch.</summary>
    UpdateOnly,
}
