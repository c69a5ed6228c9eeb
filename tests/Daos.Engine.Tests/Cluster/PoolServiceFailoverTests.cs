using Daos.Harness.Checkers;
using Daos.Protocol;
using Daos.Protocol.Containers;
using Daos.Protocol.Pools;

namespace Daos.Engine.Tests.Cluster;

/// <summary>
/// Pool service replicas killed and restarted under a metadata workload (container attributes as a key-value
/// store, three clients): the service fails over to another replica and the history stays linearizable.
/// </summary>
public sealed class PoolServiceFailoverTests
{
    private static readonly string[] Keys = ["k0", "k1", "k2"];

    [Fact]
    public async Task Attribute_history_stays_linearizable_while_service_leaders_are_killed()
    {
        await using EngineCluster cluster = await EngineCluster.StartAsync(3, 1, rank => new SimulatedEngineStorage($"rank{rank}"));
        PoolFixture pool = await PoolFixture.CreateAsync(cluster);
        var history = new List<KvOperation>();
        long clock = 0;
        using var stop = new CancellationTokenSource();
        int[] served = new int[3];

        async Task ClientAsync(int client)
        {
            var random = new DeterministicRandom(17 + (ulong)client);
            for (int n = 0; !stop.IsCancellationRequested; n++)
            {
                string key = Keys[random.Next(Keys.Length)];
                int choice = random.Next(10);
                KvOperationKind kind = choice < 5 ? KvOperationKind.Get : choice < 9 ? KvOperationKind.Put : KvOperationKind.Delete;
                string? value = kind == KvOperationKind.Put ? $"c{client}-{n}" : null;
                var request = new ContainerAttributeRequest(pool.Location.Uuid, pool.ContainerHandle,
                    kind switch { KvOperationKind.Get => AttributeOperation.Get, KvOperationKind.Put => AttributeOperation.Set, _ => AttributeOperation.Delete },
                    key, value is null ? default : System.Text.Encoding.UTF8.GetBytes(value));
                long call = Interlocked.Increment(ref clock);
                (bool done, string? result) = await RunAsync(cluster, pool.Location.ServiceRanks, request);
                long returned = Interlocked.Increment(ref clock);
                lock (history)
                {
                    if (done)
                    {
                        history.Add(new KvOperation(client, kind, key, kind == KvOperationKind.Get ? result : value, call, returned));
                        served[client]++;
                    }
                    else if (kind != KvOperationKind.Get)
                    {
                        history.Add(new KvOperation(client, kind, key, value, call, KvOperation.Pending));
                    }
                }
            }
        }

        Task[] clients = [ClientAsync(0), ClientAsync(1), ClientAsync(2)];
        var leaders = new List<int>();
        for (int round = 0; round < 2; round++)
        {
            await Task.Delay(400);
            PoolInfoReply info = await cluster.CallServiceAsync<PoolHandleRequest, PoolInfoReply>(pool.Location.ServiceRanks, ProtocolOpcodes.PoolQuery,
                new PoolHandleRequest(pool.Location.Uuid, pool.PoolHandle));
            leaders.Add(info.ServiceLeader);
            await cluster.StopEngineAsync(info.ServiceLeader, kill: true);
            await Task.Delay(1200);
            await cluster.StartEngineAsync(info.ServiceLeader);
        }

        await Task.Delay(400);
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        PoolInfoReply final = await cluster.CallServiceAsync<PoolHandleRequest, PoolInfoReply>(pool.Location.ServiceRanks, ProtocolOpcodes.PoolQuery,
            new PoolHandleRequest(pool.Location.Uuid, pool.PoolHandle));
        Assert.Contains(final.ServiceLeader, pool.Location.ServiceRanks);
        Assert.All(served, count => Assert.True(count > 10, $"a client completed only {count} operations (leaders killed: {string.Join(",", leaders)})"));
        LinearizabilityResult result = LinearizabilityChecker.CheckKv(history);
        Assert.True(result.IsLinearizable, $"{result.Outcome} on key {result.Key} in {history.Count} operations (leaders killed: {string.Join(",", leaders)})");
    }

    /// <summary>One operation: retried only where the service says it was not applied (NotLeader); any other failure is an unknown outcome.</summary>
    private static async Task<(bool Done, string? Value)> RunAsync(EngineCluster cluster, IReadOnlyList<int> ranks, ContainerAttributeRequest request)
    {
        int rank = ranks[0];
        for (int attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                ContainerAttributeReply reply = await cluster.CallAsync<ContainerAttributeRequest, ContainerAttributeReply>(rank, ProtocolOpcodes.ContainerAttribute,
                    ProtocolTargets.System, request);
                return (true, reply.Found && request.Operation == AttributeOperation.Get ? System.Text.Encoding.UTF8.GetString(reply.Value.Span) : null);
            }
            catch (NotLeaderException e)
            {
                rank = e.LeaderRank >= 0 && e.LeaderRank != rank && ranks.Contains(e.LeaderRank) ? e.LeaderRank : ranks[(ranks.ToList().IndexOf(rank) + 1) % ranks.Count];
                await Task.Delay(10);
            }
            catch (DaosException e) when (e.Error == DaosError.NonExistent && request.Operation == AttributeOperation.Delete)
            {
                return (true, null);
            }
            catch (DaosException e) when (e.Error is DaosError.Unreachable or DaosError.Timeout or DaosError.TxUncertain or DaosError.Shutdown or DaosError.Canceled
                or DaosError.Busy or DaosError.Unregistered)
            {
                if (request.Operation == AttributeOperation.Get || e.Error is DaosError.Unregistered)
                {
                    // Nothing was changed by a read (or by a request no handler took): try elsewhere.
                    rank = ranks[(ranks.ToList().IndexOf(rank) + 1) % ranks.Count];
                    await Task.Delay(10);
                    continue;
                }

                return (false, null);
            }
        }

        return (false, null);
    }
}
