using System.CommandLine;
using Daos.Tool.Commands;

namespace Daos.Tool;

/// <summary>
/// <c>daos-net</c>: the command-line front end. Each command lives in its own file under Commands/ and is
/// registered here.
/// </summary>
public static class Program
{
    /// <summary>Parses the command line and runs the chosen command; returns its exit code.</summary>
    public static int Main(string[] args)
    {
        var root = new RootCommand("Daos.NET tools: object classes and ids, placement, embedded stores, clusters.");
        root.Subcommands.Add(ObjectClassCommand.Create());
        root.Subcommands.Add(ObjectIdCommand.Create());
        root.Subcommands.Add(PlacementSimCommand.Create());
        root.Subcommands.Add(VosDemoCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(ServerCommand.Create());
        root.Subcommands.Add(DmgCommand.Create());
        root.Subcommands.Add(DaosCommand.Create());
        return ToolErrors.Run(root, args);
    }
}
