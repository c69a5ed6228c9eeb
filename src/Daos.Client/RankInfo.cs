namespace Daos.Client;

/// <summary>One rank of the system.</summary>
/// <param name="Rank">The rank number.</param>
/// <param name="Address">The transport URI its engine listens on.</param>
/// <param name="State">Its membership state.</param>
/// <param name="Targets">Targets (VOS shards per pool) the engine runs.</param>
public readonly record struct RankInfo(int Rank, string Address, RankState State, int Targets);
