using System.Xml.Linq;

namespace Daos.Architecture.Tests;

/// <summary>
/// The dependency rules of DESIGN.md section 1, as data: which projects each shipped project may reference.
/// Arrows never point up and never sideways between siblings.
/// </summary>
internal static class LayerRules
{
    public static readonly IReadOnlyDictionary<string, string[]> Allowed = new Dictionary<string, string[]>
    {
        ["Daos.Common"] = [],
        ["Daos.Vos"] = ["Daos.Common"],
        ["Daos.Placement"] = ["Daos.Common"],
        ["Daos.Transport"] = ["Daos.Common"],
        // The wire messages shared by engine and client: frames from Transport, pool map bytes from Placement.
        ["Daos.Protocol"] = ["Daos.Common", "Daos.Placement", "Daos.Transport"],
        ["Daos.Engine"] = ["Daos.Common", "Daos.Vos", "Daos.Placement", "Daos.Transport", "Daos.Protocol"],
        ["Daos.Client"] = ["Daos.Common", "Daos.Placement", "Daos.Transport", "Daos.Protocol"],
        ["Daos.Server"] = ["Daos.Common", "Daos.Vos", "Daos.Placement", "Daos.Transport", "Daos.Protocol", "Daos.Engine"],
        // The tools are applications: they may embed any library (vos-demo embeds Daos.Vos, demo hosts engines).
        ["Daos.Tool"] = ["Daos.Common", "Daos.Vos", "Daos.Placement", "Daos.Transport", "Daos.Protocol", "Daos.Engine", "Daos.Client", "Daos.Server", "Daos.Harness"],
        ["Daos.Harness"] = ["Daos.Common", "Daos.Vos", "Daos.Placement", "Daos.Transport", "Daos.Protocol", "Daos.Engine", "Daos.Client"],
    };

    /// <summary>Returns a description of every reference that breaks the rules.</summary>
    public static IReadOnlyList<string> Violations(IReadOnlyDictionary<string, IReadOnlyList<string>> graph)
    {
        var violations = new List<string>();
        foreach ((string project, IReadOnlyList<string> references) in graph)
        {
            if (!Allowed.TryGetValue(project, out string[]? allowed))
            {
                continue; // tests and benchmarks may reference anything
            }

            foreach (string reference in references)
            {
                if (Array.IndexOf(allowed, reference) < 0)
                {
                    violations.Add($"{project} references {reference}, which is not below it (allowed: {string.Join(", ", allowed)})");
                }
            }
        }

        return violations;
    }

    /// <summary>Reads every project of the repository and its project references.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> ReadRepository(string root)
    {
        var graph = new Dictionary<string, IReadOnlyList<string>>();
        foreach (string folder in new[] { "src", "harness", "bench", "tests" })
        {
            string dir = Path.Combine(root, folder);
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (string csproj in Directory.EnumerateFiles(dir, "*.csproj", SearchOption.AllDirectories))
            {
                XDocument doc = XDocument.Load(csproj);
                var references = doc.Descendants("ProjectReference")
                    .Select(e => Path.GetFileNameWithoutExtension((string)e.Attribute("Include")!.Value.Replace('\\', '/')))
                    .ToList();
                graph[Path.GetFileNameWithoutExtension(csproj)] = references;
            }
        }

        return graph;
    }

    public static string RepositoryRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Daos.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("Daos.sln not found above " + AppContext.BaseDirectory);
    }
}
