namespace Daos.Placement;

/// <summary>One target (a VOS instance served by one engine thread) in a pool map.</summary>
/// <param name="Id">The pool-wide target id: its position in the map's target list, never reused.</param>
/// <param name="Rank">The engine rank serving it.</param>
/// <param name="Index">Its index among the targets of that engine.</param>
/// <param name="Status">Its state.</param>
public readonly record struct PoolTarget(int Id, int Rank, int Index, TargetStatus Status);
