using System.Text;

namespace Daos.Engine.Tests.Rdb.Raft;

/// <summary>
/// A data-driven scenario file: blocks of "command line", "----", expected output, blank line; lines starting with
/// '#' between blocks are comments and are kept when the file is rewritten.
/// </summary>
internal sealed class ScenarioFile
{
    private ScenarioFile(List<Block> blocks) => Blocks = blocks;

    public List<Block> Blocks { get; }

    public static ScenarioFile Parse(string text)
    {
        var blocks = new List<Block>();
        string[] lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var comments = new List<string>();
        int i = 0;
        while (i < lines.Length)
        {
            string line = lines[i];
            if (line.Length == 0 || line.StartsWith('#'))
            {
                if (line.Length > 0)
                {
                    comments.Add(line);
                }

                i++;
                continue;
            }

            int lineNumber = i + 1;
            string command = line;
            i++;
            if (i >= lines.Length || lines[i] != "----")
            {
                throw new FormatException($"line {lineNumber}: expected '----' after the command '{command}'");
            }

            i++;
            var expected = new List<string>();
            while (i < lines.Length && lines[i].Length > 0)
            {
                expected.Add(lines[i]);
                i++;
            }

            blocks.Add(new Block(lineNumber, [.. comments], command, string.Join("\n", expected)));
            comments.Clear();
        }

        return new ScenarioFile(blocks);
    }

    public static string Render(IEnumerable<(Block Block, string Output)> blocks)
    {
        var text = new StringBuilder();
        bool first = true;
        foreach ((Block block, string output) in blocks)
        {
            if (!first)
            {
                text.Append('\n');
            }

            first = false;
            foreach (string comment in block.Comments)
            {
                text.Append(comment).Append('\n');
            }

            text.Append(block.Command).Append('\n').Append("----\n");
            if (output.Length > 0)
            {
                text.Append(output).Append('\n');
            }
        }

        return text.ToString();
    }

    internal sealed record Block(int LineNumber, string[] Comments, string Command, string Expected);
}
