namespace Daos.Client;

/// <summary>How a container handle may be used, as DAOS's <c>DAOS_COO_RO</c>, <c>DAOS_COO_RW</c> and <c>DAOS_COO_EX</c>.</summary>
public enum ContainerAccess
{
    /// <summary>Reads only: updates and punches through the handle fail with <see cref="DaosError.NoPermission"/>.</summary>
    ReadOnly = 0,

    /// <summary>Reads and writes.</summary>
    ReadWrite = 1,

    /// <summary>Reads and writes, and no other handle may be open on the container.</summary>
    Exclusive = 2,
}
