namespace Daos.Protocol.Pools;

/// <summary>What a pool or container handle may do (DAOS_PC_RO / DAOS_PC_RW, DAOS_COO_RO / DAOS_COO_RW).</summary>
public enum HandleAccess : byte
{
    /// <summary>Reads only: updates and punches through the handle answer NoPermission.</summary>
    ReadOnly = 1,

    /// <summary>Reads and writes.</summary>
    ReadWrite = 2,
}
