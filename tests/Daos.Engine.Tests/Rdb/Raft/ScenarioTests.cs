
namespace Daos.Engine.Tests.Rdb.Raft;

/// <summary>
/// Runs every scenario in testdata/*.txt and compares each command's trace with the expected output in the file.
/// To regenerate the expected output after an intended behaviour change, run with DAOS_REWRITE_TESTDATA=1 and review
/// the diff: <c>DAOS_REWRITE_TESTDATA=1 dotnet test tests/Daos.Engine.Tests --filter ScenarioTests</c>.
/// </summary>
public sealed class ScenarioTests
{
    private static readonly string TestDataDirectory = Path.Combine(SourceDirectory(), "testdata");

    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        foreach (string path in Directory.GetFiles(TestDataDirectory, "*.txt").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(path));
        }

        return data;
    }

    [Fact]
    public void There_are_at_least_thirty_scenarios() => Assert.True(Scenarios().Count >= 30, $"only {Scenarios().Count} scenarios");

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Scenario_matches_its_expected_trace(string file)
    {
        string path = Path.Combine(TestDataDirectory, file);
        ScenarioFile scenario = ScenarioFile.Parse(File.ReadAllText(path));
        var runner = new ScenarioRunner();
        var results = new List<(ScenarioFile.Block, string)>();
        var mismatches = new List<string>();
        foreach (ScenarioFile.Block block in scenario.Blocks)
        {
            string actual = runner.Run(block.Command);
            results.Add((block, actual));
            if (actual != block.Expected)
            {
                mismatches.Add($"{file}:{block.LineNumber}: {block.Command}\n--- expected\n{block.Expected}\n--- actual\n{actual}");
            }
        }

        if (Environment.GetEnvironmentVariable("DAOS_REWRITE_TESTDATA") == "1")
        {
            File.WriteAllText(path, ScenarioFile.Render(results));
            return;
        }

        Assert.True(mismatches.Count == 0, string.Join("\n\n", mismatches)
            + "\n\n(if the change is intended: DAOS_REWRITE_TESTDATA=1 dotnet test tests/Daos.Engine.Tests --filter ScenarioTests, then review the diff)");
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

        return Path.Combine(dir ?? throw new InvalidOperationException("Daos.sln not found above " + AppContext.BaseDirectory), "tests", "Daos.Engine.Tests", "Rdb", "Raft");
    }
}
