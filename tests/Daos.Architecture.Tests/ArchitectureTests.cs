namespace Daos.Architecture.Tests;

public sealed class ArchitectureTests
{
    private static readonly string[] DeterministicAssemblies = ["Daos.Vos.dll", "Daos.Placement.dll", "Daos.Engine.dll"];

    [Fact]
    public void No_project_references_a_layer_above_it()
    {
        var graph = LayerRules.ReadRepository(LayerRules.RepositoryRoot());
        Assert.Contains("Daos.Common", graph.Keys);
        Assert.Contains("Daos.Engine", graph.Keys);
        Assert.Empty(LayerRules.Violations(graph));
    }

    [Fact]
    public void Every_shipped_library_is_covered_by_the_rules()
    {
        string root = LayerRules.RepositoryRoot();
        var shipped = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.csproj", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "harness"), "*.csproj", SearchOption.AllDirectories))
            .Select(Path.GetFileNameWithoutExtension)
            .ToList();
        Assert.Contains("Daos.Harness", shipped);
        foreach (string? project in shipped)
        {
            Assert.True(LayerRules.Allowed.ContainsKey(project!), $"{project} has no layer rule");
        }
    }

    [Theory]
    [InlineData("Daos.Vos", "Daos.Engine")]
    [InlineData("Daos.Vos", "Daos.Placement")]
    [InlineData("Daos.Placement", "Daos.Transport")]
    [InlineData("Daos.Client", "Daos.Engine")]
    [InlineData("Daos.Client", "Daos.Vos")]
    [InlineData("Daos.Common", "Daos.Vos")]
    [InlineData("Daos.Engine", "Daos.Client")]
    public void The_layer_check_fails_on_a_forbidden_reference(string project, string forbidden)
    {
        var graph = new Dictionary<string, IReadOnlyList<string>>(LayerRules.ReadRepository(LayerRules.RepositoryRoot()))
        {
            [project] = [forbidden],
        };
        string violation = Assert.Single(LayerRules.Violations(graph));
        Assert.Contains($"{project} references {forbidden}", violation, StringComparison.Ordinal);
    }

    [Fact]
    public void Deterministic_assemblies_use_no_banned_api()
    {
        foreach (string name in DeterministicAssemblies)
        {
            string path = Path.Combine(AppContext.BaseDirectory, name);
            Assert.True(File.Exists(path), $"{path} is missing");
            Assert.Empty(BannedApiScanner.Scan(path));
        }
    }

    [Fact]
    public void The_banned_api_scan_fails_on_an_assembly_that_uses_them()
    {
        // This test assembly contains NonDeterministicFixture, which uses the APIs on purpose.
        IReadOnlyList<string> found = BannedApiScanner.Scan(typeof(ArchitectureTests).Assembly.Location);
        string[] expected =
        [
            "System.DateTime.get_UtcNow", "System.DateTime.get_Now", "System.Diagnostics.Stopwatch.StartNew",
            "System.Environment.get_TickCount64", "System.Random.get_Shared", "System.Random..ctor", "System.Guid.NewGuid",
            "System.Threading.Tasks.Task.Delay", "System.Threading.Tasks.Task.Run", "System.Threading.Thread.Sleep",
            "System.Threading.ThreadPool.QueueUserWorkItem", "System.Threading.Tasks.Parallel.For",
            "System.HashCode.Combine", "System.TimeProvider.get_System",
        ];
        foreach (string api in expected)
        {
            Assert.Contains(found, f => f.EndsWith(api, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Every_deterministic_project_enables_the_banned_api_analyzer()
    {
        string root = LayerRules.RepositoryRoot();
        foreach (string project in new[] { "Daos.Vos", "Daos.Placement", "Daos.Engine" })
        {
            string text = File.ReadAllText(Path.Combine(root, "src", project, project + ".csproj"));
            Assert.Contains("<DaosDeterministic>true</DaosDeterministic>", text, StringComparison.Ordinal);
        }

        string targets = File.ReadAllText(Path.Combine(root, "Directory.Build.targets"));
        Assert.Contains("BannedSymbols.Deterministic.txt", targets, StringComparison.Ordinal);
        string banned = File.ReadAllText(Path.Combine(root, "eng", "BannedSymbols.Deterministic.txt"));
        foreach (string symbol in new[] { "M:System.String.GetHashCode", "P:System.DateTime.UtcNow", "T:System.Diagnostics.Stopwatch", "M:System.Guid.NewGuid" })
        {
            Assert.Contains(symbol, banned, StringComparison.Ordinal);
        }
    }
}
