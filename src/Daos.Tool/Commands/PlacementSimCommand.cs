using System.CommandLine;
using System.Globalization;
using Daos.Placement;

namespace Daos.Tool.Commands;

/// <summary>
/// <c>placement-sim</c>: places many objects on pools of several sizes and reports shard balance and how many
/// shards move when one target fails, when the pool grows by one node and when the failed target returns, each
/// beside the ideal fraction. Prints a Markdown table.
/// </summary>
internal static class PlacementSimCommand
{
    public static Command Create()
    {
        var targets = new Option<int[]>("--targets")
        {
            Description = "Pool sizes in targets (each a multiple of targets-per-rank x ranks-per-node)",
            DefaultValueFactory = _ => [8, 64, 1024, 16384],
            AllowMultipleArgumentsPerToken = true,
        };
        var className = new Option<string>("--class") { Description = "Object class, such as S1, RP_3G1 or EC_8P2G1", DefaultValueFactory = _ => "S1" };
        var objects = new Option<int>("--objects") { Description = "Objects placed per pool", DefaultValueFactory = _ => 100_000 };
        var targetsPerRank = new Option<int?>("--targets-per-rank") { Description = "Targets per engine (default: 1 below 128 targets, else 8)" };
        var ranksPerNode = new Option<int>("--ranks-per-node") { Description = "Engines per node", DefaultValueFactory = _ => 1 };
        var level = new Option<FaultDomainLevel>("--level") { Description = "Fault-domain level", DefaultValueFactory = _ => FaultDomainLevel.Node };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the object ids", DefaultValueFactory = _ => 1 };
        var command = new Command("placement-sim", "Simulate jump-map placement: balance and data movement against the ideal")
        {
            targets, className, objects, targetsPerRank, ranksPerNode, level, seed,
        };
        command.SetAction(result =>
        {
            ObjectClass objectClass = ObjectClass.Parse(result.GetValue(className)!);
            int count = result.GetValue(objects);
            if (count < 1)
            {
                throw new DaosException(DaosError.InvalidArgument, "--objects must be at least 1");
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"class {objectClass.Name} (X resolved per pool with RF 0), {count} objects per pool, fault domain {result.GetValue(level)}, seed {result.GetValue(seed)}"));
            Console.WriteLine();
            Console.WriteLine("| targets | nodes | shards/target max | mean | max/mean | fail 1 target: moved | ideal | extend +1 node: moved | ideal | reintegrate: moved | ideal |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (int t in result.GetValue(targets)!)
            {
                int tpr = result.GetValue(targetsPerRank) ?? (t < 128 ? 1 : 8);
                int rpn = result.GetValue(ranksPerNode);
                if (tpr < 1 || rpn < 1 || t % (tpr * rpn) != 0)
                {
                    throw new DaosException(DaosError.InvalidArgument, $"{t} targets is not a multiple of {tpr} targets x {rpn} ranks per node");
                }

                PoolMap healthy = PoolMap.Create(t / (tpr * rpn), rpn, tpr);
                ObjectClass resolved;
                try
                {
                    // As when an object id is generated: X is fixed against the pool as it is now (RF 0 reserve).
                    resolved = ObjectClassSelector.Resolve(healthy, objectClass, 0, result.GetValue(level));
                }
                catch (DaosException e) when (e.Error == DaosError.InvalidArgument)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {t} | {healthy.NodeCount} | {e.Message} |||||||||"));
                    continue;
                }

                Row row = Simulate(healthy, rpn, tpr, resolved, count, result.GetValue(level), result.GetValue(seed));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {t} | {row.Nodes} | {row.MaxPerTarget} | {row.MeanPerTarget:F1} | {row.MaxPerTarget / row.MeanPerTarget:F3} | {row.FailMoved:P3} | {row.FailIdeal:P3} | {row.ExtendMoved:P3} | {row.ExtendIdeal:P3} | {row.ReintMoved:P3} | {row.ReintIdeal:P3} |"));
            }

            return 0;
        });
        return command;
    }

    private readonly record struct Row(int Nodes, int MaxPerTarget, double MeanPerTarget, double FailMoved, double FailIdeal,
        double ExtendMoved, double ExtendIdeal, double ReintMoved, double ReintIdeal);

    private static Row Simulate(PoolMap healthy, int ranksPerNode, int targetsPerRank, ObjectClass objectClass, int objectCount,
        FaultDomainLevel level, ulong seed)
    {
        int nodes = healthy.NodeCount;
        int targetCount = healthy.Targets.Count;
        var rng = new DeterministicRandom(seed);
        var oids = new ObjectId[objectCount];
        for (int i = 0; i < objectCount; i++)
        {
            oids[i] = ObjectId.Create(ObjectType.MultiHashed, objectClass, rng.NextUInt64(), (uint)rng.NextUInt64());
        }

        int[][] baseline = Layouts(healthy, oids, level);
        int[] perTarget = new int[targetCount];
        long shards = 0;
        foreach (int[] layout in baseline)
        {
            foreach (int t in layout)
            {
                perTarget[t]++;
                shards++;
            }
        }

        // Fail the most loaded target: the worst case for movement.
        int victim = Array.IndexOf(perTarget, perTarget.Max());
        PoolMap failed = healthy.Exclude(victim).CompleteRebuild();
        int[][] afterFailure = Layouts(failed, oids, level);
        double failMoved = Moved(baseline, afterFailure) / (double)shards;

        PoolMap extended = healthy.Extend(1, ranksPerNode, targetsPerRank).CompleteRebuild();
        double extendMoved = Moved(baseline, Layouts(extended, oids, level)) / (double)shards;
        int added = ranksPerNode * targetsPerRank;

        PoolMap returned = failed.Reintegrate(victim).CompleteRebuild();
        double reintMoved = Moved(afterFailure, Layouts(returned, oids, level)) / (double)shards;

        double onVictim = perTarget[victim] / (double)shards;
        return new Row(nodes, perTarget.Max(), shards / (double)targetCount, failMoved, onVictim,
            extendMoved, added / (double)(targetCount + added), reintMoved, onVictim);
    }

    private static int[][] Layouts(PoolMap map, ObjectId[] oids, FaultDomainLevel level)
    {
        var result = new int[oids.Length][];
        for (int i = 0; i < oids.Length; i++)
        {
            ObjectLayout layout = JumpMap.Place(map, oids[i], LayoutMode.Current, level);
            int[] targets = new int[layout.Shards.Count];
            for (int k = 0; k < targets.Length; k++)
            {
                targets[k] = layout.Shards[k].Target;
            }

            result[i] = targets;
        }

        return result;
    }

    private static long Moved(int[][] before, int[][] after)
    {
        long moved = 0;
        for (int i = 0; i < before.Length; i++)
        {
            for (int k = 0; k < before[i].Length; k++)
            {
                moved += before[i][k] != after[i][k] ? 1 : 0;
            }
        }

        return moved;
    }
}
