namespace Daos.Client;

/// <summary>How a pool handle may be used, as DAOS's <c>DAOS_PC_RO</c>, <c>DAOS_PC_RW</c> and <c>DAOS_PC_EX</c>.</summary>
public enum PoolAccess
{
    /// <summary>Read-only: containers may be opened for reading only.</summary>
    ReadOnly = 0,

    /// <summary>Read and write; other handles may be open at the same time.</summary>
    ReadWrite = 1,

    /// <summary>Read and write, and no other handle may be open on the pool.</summary>
    Exclusive = 2,
}
