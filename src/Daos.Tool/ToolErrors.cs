using System.CommandLine;

namespace Daos.Tool;

/// <summary>Runs a command line, turning <see cref="DaosException"/> into a one-line message and exit code 1.</summary>
internal static class ToolErrors
{
    public static int Run(RootCommand root, string[] args)
    {
        try
        {
            return root.Parse(args).Invoke();
        }
        catch (DaosException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
