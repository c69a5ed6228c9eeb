using System.Diagnostics;
using System.Globalization;

namespace Daos.Vos.Tests;

/// <summary>
/// Runs tests/Daos.Vos.CrashChild, which commits on real files and prints "committed N" after each acknowledged
/// commit, and kills it with SIGKILL after a given number of reports.
/// </summary>
internal static class CrashChildProcess
{
    /// <summary>Runs the child on <paramref name="directory"/> and returns the last commit it reported before the kill.</summary>
    public static long RunAndKill(string directory, int killAfter, params string[] modeArguments)
    {
        // tests/Daos.Vos.Tests/bin/{Configuration}/net10.0/ -> tests/Daos.Vos.CrashChild/bin/{Configuration}/net10.0/
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string configuration = output.Parent!.Name;
        string child = Path.Combine(output.Parent!.Parent!.Parent!.Parent!.FullName, "Daos.Vos.CrashChild", "bin", configuration,
            output.Name, "Daos.Vos.CrashChild.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.GetFullPath(child));
        start.ArgumentList.Add(directory);
        foreach (string argument in modeArguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        long reported = 0;
        int seen = 0;
        try
        {
            while (process.StandardOutput.ReadLine() is { } line)
            {
                if (line.StartsWith("committed ", StringComparison.Ordinal))
                {
                    reported = long.Parse(line.AsSpan(10), CultureInfo.InvariantCulture);
                    if (++seen >= killAfter)
                    {
                        break;
                    }
                }
            }
        }
        finally
        {
            process.Kill(entireProcessTree: false); // SIGKILL
            process.WaitForExit();
        }

        Assert.True(seen >= killAfter, $"the child {child} exited early after {seen} commits (exit code {process.ExitCode})");
        return reported;
    }
}
