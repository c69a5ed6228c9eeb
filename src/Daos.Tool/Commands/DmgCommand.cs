using System.CommandLine;
using System.Globalization;
using Daos.Client;

namespace Daos.Tool.Commands;

/// <summary>
/// <c>dmg</c>, the administrator's commands over TCP: <c>system query</c>, <c>pool create|list|query|destroy</c>, and
/// the pool map changes <c>pool exclude|drain|reintegrate|extend</c> (in <see cref="DmgPoolMapCommands"/>).
/// </summary>
internal static class DmgCommand
{
    public static Command Create()
    {
        var dmg = new Command("dmg", "Administer a running system: ranks and pools");
        var runner = new ClientCommandRunner(dmg);
        dmg.Subcommands.Add(SystemCommand(runner));
        dmg.Subcommands.Add(PoolCommand(runner));
        return dmg;
    }

    private static Command SystemCommand(ClientCommandRunner runner)
    {
        var query = new Command("query", "List the ranks of the system with their state, address and targets");
        runner.SetClientAction(query, async (client, _, output, ct) =>
        {
            SystemInfo system = await client.Admin.QuerySystemAsync(ct).ConfigureAwait(false);
            await output.WriteLineAsync($"System {system.SystemName}: {system.Ranks.Count} rank(s)").ConfigureAwait(false);
            await output.WriteLineAsync("Rank  State     Targets  Address").ConfigureAwait(false);
            foreach (RankInfo rank in system.Ranks)
            {
                await output.WriteLineAsync(Invariant($"{rank.Rank,-5} {rank.State,-9} {rank.Targets,-8} {rank.Address}")).ConfigureAwait(false);
            }
        });
        return new Command("system", "System membership") { query };
    }

    private static Command PoolCommand(ClientCommandRunner runner)
    {
        var label = new Argument<string>("label") { Description = "Pool label" };
        var size = new Option<string?>("--size") { Description = "Bytes per target for both tiers (4096, 64MiB, 1G)" };
        var scmSize = new Option<string?>("--scm-size") { Description = "Metadata-tier bytes per target" };
        var nvmeSize = new Option<string?>("--nvme-size") { Description = "Data-tier bytes per target" };
        var ranks = new Option<string?>("--ranks") { Description = "Ranks to place the pool on, as 0,1,2 (default: every rank)" };
        var serviceReplicas = new Option<int?>("--nsvc") { Description = "Pool service replicas (default 2 x svc_rf + 1, clamped to the ranks)" };
        var create = new Command("create", "Create a pool on the system's ranks") { label, size, scmSize, nvmeSize, ranks, serviceReplicas };
        runner.SetClientAction(create, async (client, result, output, ct) =>
        {
            var options = new PoolCreateOptions
            {
                SizePerTargetBytes = SizeOf(result.GetValue(size), "--size"),
                ScmSizeBytes = SizeOf(result.GetValue(scmSize), "--scm-size"),
                NvmeSizeBytes = SizeOf(result.GetValue(nvmeSize), "--nvme-size"),
                Ranks = RanksOf(result.GetValue(ranks)),
                ServiceReplicas = result.GetValue(serviceReplicas),
            };
            PoolInfo pool = await client.Admin.CreatePoolAsync(result.GetValue(label)!, options, ct).ConfigureAwait(false);
            await output.WriteLineAsync($"Pool created: {pool.Label} {pool.Uuid}").ConfigureAwait(false);
            await WritePoolAsync(output, pool).ConfigureAwait(false);
        });

        var list = new Command("list", "List the pools of the system");
        runner.SetClientAction(list, async (client, _, output, ct) =>
        {
            await output.WriteLineAsync("Label                            UUID                                  Ranks").ConfigureAwait(false);
            await foreach (PoolInfo pool in client.Admin.ListPoolsAsync(ct).ConfigureAwait(false))
            {
                await output.WriteLineAsync($"{pool.Label,-32} {pool.Uuid}  {string.Join(',', pool.Ranks)}").ConfigureAwait(false);
            }
        });

        var queryPool = new Argument<string>("pool") { Description = "Pool label or UUID" };
        var query = new Command("query", "Show a pool's targets, space per tier and service") { queryPool };
        runner.SetClientAction(query, async (client, result, output, ct) =>
        {
            await using DaosPool pool = await client.ConnectPoolAsync(result.GetValue(queryPool)!, PoolAccess.ReadOnly, ct).ConfigureAwait(false);
            PoolInfo info = await pool.QueryAsync(ct).ConfigureAwait(false);
            await output.WriteLineAsync($"Pool {info.Label} {info.Uuid}").ConfigureAwait(false);
            await WritePoolAsync(output, info).ConfigureAwait(false);
            await output.WriteLineAsync("  target states (rank: index state):").ConfigureAwait(false);
            await DmgPoolMapCommands.WriteTargetStatesAsync(output, info).ConfigureAwait(false);
        });

        var destroyPool = new Argument<string>("pool") { Description = "Pool label or UUID" };
        var force = new Option<bool>("--force") { Description = "Destroy even with connected handles" };
        var destroy = new Command("destroy", "Destroy a pool and every shard of it") { destroyPool, force };
        runner.SetClientAction(destroy, async (client, result, output, ct) =>
        {
            string name = result.GetValue(destroyPool)!;
            await client.Admin.DestroyPoolAsync(name, result.GetValue(force), ct).ConfigureAwait(false);
            await output.WriteLineAsync($"Pool destroyed: {name}").ConfigureAwait(false);
        });

        var group = new Command("pool", "Pools: create, list, query, destroy, exclude, drain, reintegrate, extend") { create, list, query, destroy };
        foreach (Command change in DmgPoolMapCommands.Create(runner))
        {
            group.Subcommands.Add(change);
        }

        return group;
    }

    private static async Task WritePoolAsync(TextWriter output, PoolInfo pool)
    {
        await output.WriteLineAsync(Invariant($"  map version {pool.MapVersion}, ranks {string.Join(',', pool.Ranks)}, service ranks {string.Join(',', pool.ServiceReplicas)}")).ConfigureAwait(false);
        await output.WriteLineAsync(Invariant($"  targets {pool.TargetsTotal} ({pool.TargetsDisabled} disabled), rebuild {pool.RebuildState}")).ConfigureAwait(false);
        await output.WriteLineAsync($"  SCM  total {ClientCommandRunner.FormatSize(pool.Scm.TotalBytes)}, free {ClientCommandRunner.FormatSize(pool.Scm.FreeBytes)}").ConfigureAwait(false);
        await output.WriteLineAsync($"  NVMe total {ClientCommandRunner.FormatSize(pool.Nvme.TotalBytes)}, free {ClientCommandRunner.FormatSize(pool.Nvme.FreeBytes)}").ConfigureAwait(false);
    }

    private static long? SizeOf(string? text, string option) => text is null ? null : ClientCommandRunner.ParseSize(text, option);

    private static int[]? RanksOf(string? text)
    {
        if (text is null)
        {
            return null;
        }

        string[] parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var ranks = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out ranks[i]))
            {
                throw new DaosException(DaosError.InvalidArgument, $"--ranks: '{parts[i]}' is not a rank number");
            }
        }

        return ranks.Length == 0 ? throw new DaosException(DaosError.InvalidArgument, "--ranks names no rank") : ranks;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
