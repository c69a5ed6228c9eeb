using System.CommandLine;
using System.Globalization;
using Daos.Client;

namespace Daos.Tool.Commands;

/// <summary>
/// <c>dmg pool exclude|drain|reintegrate|extend</c>: changes of a pool's map, as DAOS's dmg spells them
/// (<c>--rank</c> with an optional <c>--target-idx</c> list; <c>extend --ranks</c>). Each prints the pool's map
/// version and target states afterwards. Rebuild, which moves data after such a change, is not implemented yet.
/// </summary>
internal static class DmgPoolMapCommands
{
    /// <summary>The four commands, for the <c>dmg pool</c> group.</summary>
    public static IEnumerable<Command> Create(ClientCommandRunner runner)
    {
        yield return TargetCommand(runner, "exclude", "Mark targets of a rank failed (Down); their S-class data is unavailable until reintegrated",
            static (admin, pool, rank, target, ct) => admin.ExcludeAsync(pool, rank, target, ct));
        yield return TargetCommand(runner, "drain", "Start emptying healthy targets of a rank (Drain)",
            static (admin, pool, rank, target, ct) => admin.DrainAsync(pool, rank, target, ct));
        yield return TargetCommand(runner, "reintegrate", "Bring excluded targets of a rank back (Up)",
            static (admin, pool, rank, target, ct) => admin.ReintegrateAsync(pool, rank, target, ct));

        var pool = new Argument<string>("pool") { Description = "Pool label or UUID" };
        var ranks = new Option<string>("--ranks") { Description = "Ranks to add, as 3,4", Required = true };
        var extend = new Command("extend", "Add ranks to a pool: shards on each of their targets, targets joining the map as Up") { pool, ranks };
        runner.SetClientAction(extend, async (client, result, output, ct) =>
        {
            string name = result.GetValue(pool)!;
            await client.Admin.ExtendAsync(name, NumbersOf(result.GetValue(ranks)!, "--ranks"), ct).ConfigureAwait(false);
            await output.WriteLineAsync($"Pool extended: {name}").ConfigureAwait(false);
            await WriteTargetsAsync(client, name, output, ct).ConfigureAwait(false);
        });
        yield return extend;
    }

    /// <summary>Target states per rank, one line each (<c>rank 1: 0 UpIn, 1 Down</c>).</summary>
    public static async Task WriteTargetStatesAsync(TextWriter output, PoolInfo pool)
    {
        foreach (IGrouping<int, PoolTargetInfo> rank in pool.Targets.GroupBy(t => t.Rank).OrderBy(g => g.Key))
        {
            string states = string.Join(", ", rank.OrderBy(t => t.Index).Select(t => Invariant($"{t.Index} {t.Status}")));
            await output.WriteLineAsync(Invariant($"  rank {rank.Key}: {states}")).ConfigureAwait(false);
        }
    }

    private delegate ValueTask Change(DaosAdmin admin, string pool, int rank, int? target, CancellationToken ct);

    private static Command TargetCommand(ClientCommandRunner runner, string name, string description, Change change)
    {
        var pool = new Argument<string>("pool") { Description = "Pool label or UUID" };
        var rank = new Option<int>("--rank") { Description = "The rank whose targets change", Required = true };
        var targets = new Option<string?>("--target-idx") { Description = "Target indexes on that rank, as 0,1 (default: every target of the rank)" };
        var command = new Command(name, description) { pool, rank, targets };
        runner.SetClientAction(command, async (client, result, output, ct) =>
        {
            string label = result.GetValue(pool)!;
            int rankNumber = result.GetValue(rank);
            string? indexes = result.GetValue(targets);
            if (indexes is null)
            {
                await change(client.Admin, label, rankNumber, null, ct).ConfigureAwait(false);
            }
            else
            {
                foreach (int index in NumbersOf(indexes, "--target-idx"))
                {
                    await change(client.Admin, label, rankNumber, index, ct).ConfigureAwait(false);
                }
            }

            await output.WriteLineAsync(Invariant($"Pool {label}: {name} of rank {rankNumber} targets {indexes ?? "all"} done")).ConfigureAwait(false);
            await WriteTargetsAsync(client, label, output, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task WriteTargetsAsync(DaosClient client, string label, TextWriter output, CancellationToken ct)
    {
        await using DaosPool pool = await client.ConnectPoolAsync(label, PoolAccess.ReadOnly, ct).ConfigureAwait(false);
        PoolInfo info = await pool.QueryAsync(ct).ConfigureAwait(false);
        await output.WriteLineAsync(Invariant($"  map version {info.MapVersion}, targets {info.TargetsTotal} ({info.TargetsDisabled} disabled)")).ConfigureAwait(false);
        await WriteTargetStatesAsync(output, info).ConfigureAwait(false);
    }

    private static int[] NumbersOf(string text, string option)
    {
        string[] parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var numbers = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
            {
                throw new DaosException(DaosError.InvalidArgument, $"{option}: '{parts[i]}' is not a number");
            }
        }

        return numbers.Length == 0 ? throw new DaosException(DaosError.InvalidArgument, $"{option} names nothing") : numbers;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
