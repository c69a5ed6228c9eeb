namespace Daos.Placement.Map;

/// <summary>
/// Derives the tree links of a breadth-first flattened map (root, then every node, then every rank) from the
/// child counts, and checks that the counts describe exactly that shape.
/// </summary>
internal static class PoolMapLinks
{
    /// <summary>Fills FirstChild, FirstTarget and TargetCount; returns null when the shape is valid, else why not.</summary>
    public static string? Link(PoolComponent[] domains, int targetCount, out int nodeCount, out int rankCount)
    {
        nodeCount = 0;
        rankCount = 0;
        if (domains.Length < 3 || domains[0].Type != ComponentType.Root)
        {
            return "a pool map needs a root, at least one node and at least one rank";
        }

        nodeCount = domains[0].ChildCount;
        if (nodeCount < 1 || 1 + nodeCount >= domains.Length)
        {
            return $"the root claims {nodeCount} nodes but the map has {domains.Length} domains";
        }

        rankCount = domains.Length - 1 - nodeCount;
        long ranksClaimed = 0;
        for (int i = 1; i <= nodeCount; i++)
        {
            if (domains[i].Type != ComponentType.Node || domains[i].ChildCount < 1)
            {
                return $"domain {i} should be a node with at least one rank";
            }

            ranksClaimed += domains[i].ChildCount;
        }

        if (ranksClaimed != rankCount)
        {
            return $"the nodes claim {ranksClaimed} ranks but the map has {rankCount}";
        }

        long targetsClaimed = 0;
        for (int i = 1 + nodeCount; i < domains.Length; i++)
        {
            if (domains[i].Type != ComponentType.Rank || domains[i].ChildCount < 1)
            {
                return $"domain {i} should be a rank with at least one target";
            }

            targetsClaimed += domains[i].ChildCount;
        }

        if (targetsClaimed != targetCount)
        {
            return $"the ranks claim {targetsClaimed} targets but the map has {targetCount}";
        }

        int rankStart = 1 + nodeCount;
        int nextRank = rankStart;
        int nextTarget = 0;
        domains[0].FirstChild = 1;
        domains[0].FirstTarget = 0;
        domains[0].TargetCount = targetCount;
        for (int n = 1; n <= nodeCount; n++)
        {
            ref PoolComponent node = ref domains[n];
            node.FirstChild = nextRank;
            node.FirstTarget = nextTarget;
            int targets = 0;
            for (int r = 0; r < node.ChildCount; r++)
            {
                ref PoolComponent rank = ref domains[nextRank + r];
                rank.FirstChild = -1;
                rank.FirstTarget = nextTarget + targets;
                rank.TargetCount = rank.ChildCount;
                targets += rank.ChildCount;
            }

            node.TargetCount = targets;
            nextRank += node.ChildCount;
            nextTarget += targets;
        }

        return null;
    }
}
