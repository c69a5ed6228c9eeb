namespace Daos.Client.Wire;

/// <summary>Where one shard of an object lives: the engine rank, the target index within it, and the map that said so.</summary>
internal readonly record struct ShardAddress(int Shard, int Rank, int TargetIndex, int TargetId, int MapVersion);
