using Daos.Placement;

namespace Daos.Client;

/// <summary>One target of a pool as its map describes it (what <c>dmg pool query-targets</c> shows).</summary>
/// <param name="Id">The target's id in the pool map.</param>
/// <param name="Rank">The system rank of the engine that runs it.</param>
/// <param name="Index">Its index among that engine's targets.</param>
/// <param name="Status">Its state: UpIn serving; Down or DownOut excluded; Drain being emptied; Up being added or reintegrated.</param>
public readonly record struct PoolTargetInfo(int Id, int Rank, int Index, TargetStatus Status);
