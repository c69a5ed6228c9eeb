namespace Daos;

/// <summary>How an object class protects data.</summary>
public enum RedundancyKind
{
    /// <summary>No protection: one copy of each shard (the S classes).</summary>
    None,
    /// <summary>N-way replication (the RP classes).</summary>
    Replication,
    /// <summary>Reed-Solomon erasure coding with k data and p parity cells (the EC classes).</summary>
    ErasureCode,
}
