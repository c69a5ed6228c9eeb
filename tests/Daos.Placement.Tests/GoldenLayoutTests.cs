using System.Globalization;
using System.Text;

namespace Daos.Placement.Tests;

/// <summary>
/// Layouts must never change for a given map and object id: clients and engines of different builds have to agree.
/// This compares a fixed set of layouts (healthy, degraded, draining, reintegrating, extending; node and rank fault
/// domains) with Golden/layouts.txt. A deliberate algorithm change regenerates the file with
/// DAOS_PLACEMENT_REGENERATE=1 and says so in its commit.
/// </summary>
public sealed class GoldenLayoutTests
{
    [Fact]
    public void Layouts_match_the_recorded_golden_file()
    {
        string path = Path.Combine(SourceDirectory(), "Golden", "layouts.txt");
        string actual = Render();
        if (Environment.GetEnvironmentVariable("DAOS_PLACEMENT_REGENERATE") == "1")
        {
            File.WriteAllText(path, actual);
        }

        string expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        string[] e = expected.Split('\n'), a = actual.Split('\n');
        for (int i = 0; i < Math.Min(e.Length, a.Length); i++)
        {
            Assert.True(e[i] == a[i], $"line {i + 1} differs:\n expected {e[i]}\n actual   {a[i]}");
        }

        Assert.Equal(e.Length, a.Length);
    }

    private static string Render()
    {
        var maps = new List<(string Name, PoolMap Map)>();
        PoolMap small = PoolMap.Create(6, 2, 4);
        maps.Add(("6x2x4", small));
        maps.Add(("6x2x4 -t7", small.Exclude(7)));
        maps.Add(("6x2x4 -t7 out", small.Exclude(7).CompleteRebuild()));
        maps.Add(("6x2x4 -t7 out -t30", small.Exclude(7).CompleteRebuild().Exclude(30)));
        maps.Add(("6x2x4 drain t12", small.Drain(12)));
        maps.Add(("6x2x4 -t7 out +t7", small.Exclude(7).CompleteRebuild().Reintegrate(7)));
        maps.Add(("6x2x4 +1x2x4", small.Extend(1, 2, 4)));
        maps.Add(("64x1x16", PoolMap.Create(64, 1, 16)));
        ObjectClass[] classes = [ObjectClass.S1, ObjectClass.S4, ObjectClass.RP_2G2, ObjectClass.RP_3G1, ObjectClass.EC_4P2G1, ObjectClass.EC_2P1G1];
        var text = new StringBuilder();
        foreach ((string name, PoolMap map) in maps)
        {
            foreach (ObjectClass c in classes)
            {
                for (ulong lo = 0; lo < 3; lo++)
                {
                    ObjectId oid = ObjectId.Create(ObjectType.MultiHashed, c, lo * 0x9E3779B97F4A7C15UL, (uint)lo);
                    foreach (FaultDomainLevel level in new[] { FaultDomainLevel.Node, FaultDomainLevel.Rank })
                    {
                        foreach (LayoutMode mode in new[] { LayoutMode.PreRebuild, LayoutMode.Current, LayoutMode.PostRebuild })
                        {
                            ObjectLayout layout = JumpMap.Place(map, oid, mode, level);
                            text.Append(CultureInfo.InvariantCulture, $"{name} | {oid} | {level} {mode} |");
                            foreach (ShardPlacement s in layout.Shards)
                            {
                                text.Append(CultureInfo.InvariantCulture, $" {s.Shard}:{s.Target}{(s.Rebuilding ? "r" : "")}{(s.Reintegrating ? "i" : "")}/{s.FailureSequence}");
                            }

                            text.Append('\n');
                        }
                    }
                }
            }
        }

        return text.ToString();
    }

    // The source folder, found from the test binary by walking up to Daos.sln: [CallerFilePath] cannot be used, since
    // CI builds map source paths to "/_/" (ContinuousIntegrationBuild).
    private static string SourceDirectory()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Daos.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return Path.Combine(dir ?? throw new InvalidOperationException("Daos.sln not found above " + AppContext.BaseDirectory), "tests", "Daos.Placement.Tests");
    }
}
