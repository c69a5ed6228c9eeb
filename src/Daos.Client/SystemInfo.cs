namespace Daos.Client;

/// <summary>What <see cref="DaosAdmin.QuerySystemAsync"/> reports: the system name and its ranks.</summary>
/// <param name="SystemName">The system name.</param>
/// <param name="Ranks">Every rank known to the management service, by rank number.</param>
public sealed record SystemInfo(string SystemName, IReadOnlyList<RankInfo> Ranks);
