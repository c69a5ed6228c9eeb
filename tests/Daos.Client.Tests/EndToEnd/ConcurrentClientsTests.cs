using Daos.Harness;
using Daos.Harness.Checkers;
using static Daos.Client.Tests.EndToEnd.ClusterFixture;

namespace Daos.Client.Tests.EndToEnd;

/// <summary>
/// Several clients with several operations each in flight, on a few overlapping keys: the history of puts, gets and
/// removes must be linearizable per key (the harness's Wing–Gong–Lowe checker against a sequential map).
/// </summary>
[Collection(SharedCluster.Name)]
public sealed class ConcurrentClientsTests(ClusterFixture fixture)
{
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public async Task Concurrent_clients_on_overlapping_keys_match_a_sequential_model_per_key(int seed)
    {
        const int Clients = 4, WorkersPerClient = 4, OperationsPerWorker = 40, Keys = 5;
        await using DaosContainer setup = await fixture.NewContainerAsync();
        ObjectId oid = await setup.AllocateObjectIdAsync(ObjectType.KeyValue);
        long clock = 0;
        var history = new List<KvOperation>();
        var clients = new List<(DaosClient, DaosPool, DaosContainer)>();
        try
        {
            for (int c = 0; c < Clients; c++)
            {
                DaosClient client = await fixture.Cluster.ConnectClientAsync();
                DaosPool pool = await client.ConnectPoolAsync(PoolLabel);
                clients.Add((client, pool, await pool.OpenContainerAsync(setup.Label)));
            }

            await Task.WhenAll(Enumerable.Range(0, Clients * WorkersPerClient).Select(async worker =>
            {
                var random = new DeterministicRandom((ulong)(seed * 1000 + worker));
                DaosKeyValue kv = clients[worker / WorkersPerClient].Item3.OpenKeyValue(oid);
                for (int i = 0; i < OperationsPerWorker; i++)
                {
                    string key = $"k{random.Next(Keys)}";
                    int choice = random.Next(10);
                    long call = Interlocked.Increment(ref clock);
                    KvOperation op;
                    if (choice < 4)
                    {
                        string value = $"w{worker}-{i}";
                        await kv.PutAsync(key, Bytes(value));
                        op = new KvOperation(worker, KvOperationKind.Put, key, value, call, Interlocked.Increment(ref clock));
                    }
                    else if (choice < 5)
                    {
                        await kv.RemoveAsync(key);
                        op = new KvOperation(worker, KvOperationKind.Delete, key, null, call, Interlocked.Increment(ref clock));
                    }
                    else
                    {
                        byte[]? value = await kv.GetAsync(key);
                        op = new KvOperation(worker, KvOperationKind.Get, key, value is null ? null : Text(value), call, Interlocked.Increment(ref clock));
                    }

                    lock (history)
                    {
                        history.Add(op);
                    }
                }
            }));
        }
        finally
        {
            foreach ((DaosClient client, DaosPool pool, DaosContainer container) in clients)
            {
                await container.DisposeAsync();
                await pool.DisposeAsync();
                await client.DisposeAsync();
            }
        }

        LinearizabilityResult result = LinearizabilityChecker.CheckKv(history);
        Assert.True(result.IsLinearizable, $"seed {seed}: {result.Outcome} on key {result.Key} after {result.OperationsChecked} operations");
        Assert.Equal(Clients * WorkersPerClient * OperationsPerWorker, history.Count);
    }
}
