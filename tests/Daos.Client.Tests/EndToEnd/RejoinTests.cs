using Daos.Harness;
using Daos.Vos;
using static Daos.Client.Tests.EndToEnd.ClusterFixture;

namespace Daos.Client.Tests.EndToEnd;

/// <summary>
/// A rank down while its pool changed catches up when it restarts (on files): the container destroyed meanwhile is
/// gone from that rank's VOS pools, the one kept is intact, and the rank serves the map changed meanwhile.
/// </summary>
public sealed class RejoinTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "daos-client-rejoin-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_rank_down_during_a_container_destroy_and_an_exclusion_catches_up_when_it_restarts()
    {
        const int Targets = 2;
        Guid poolUuid, destroyedUuid, keptUuid;
        int down;
        var keptOids = new List<ObjectId>();
        await using (TestCluster cluster = await TestCluster.StartAsync(new TestClusterOptions
        {
            Engines = 3, TargetsPerEngine = Targets, Storage = TestClusterStorage.Files(_directory), Seed = 5,
        }))
        {
            await using DaosClient client = await cluster.ConnectClientAsync();
            PoolInfo created = await client.Admin.CreatePoolAsync("rejoin", new PoolCreateOptions
            {
                ScmSizeBytes = 8L << 20, NvmeSizeBytes = 8L << 20, Ranks = [0, 1, 2], ServiceReplicas = 1,
            });
            poolUuid = created.Uuid;

            // The rank taken down runs neither the management service (rank 0) nor the pool's service.
            down = new[] { 1, 2 }.First(r => !created.ServiceReplicas.Contains(r));
            await using DaosPool pool = await client.ConnectPoolAsync("rejoin");
            await using (DaosContainer destroyed = await pool.CreateContainerAsync("destroyed"))
            await using (DaosContainer kept = await pool.CreateContainerAsync("kept"))
            {
                destroyedUuid = destroyed.Uuid;
                keptUuid = kept.Uuid;
                for (int i = 0; i < 24; i++)
                {
                    await destroyed.OpenKeyValue(await destroyed.AllocateObjectIdAsync(ObjectType.KeyValue, ObjectClass.S1)).PutAsync("k", Bytes($"gone {i}"));
                    ObjectId oid = await kept.AllocateObjectIdAsync(ObjectType.KeyValue, ObjectClass.S1);
                    await kept.OpenKeyValue(oid).PutAsync("k", Bytes($"kept {i}"));
                    keptOids.Add(oid);
                }
            }

            await cluster.KillEngineAsync(down);
            await pool.DestroyContainerAsync("destroyed");
            int other = down == 1 ? 2 : 1;
            await client.Admin.ExcludeAsync("rejoin", other, 0);
            await cluster.RestartEngineAsync(down);
            await cluster.WaitForRejoinAsync(down).WaitAsync(TimeSpan.FromSeconds(60));

            // The pool shows the exclusion; the kept container reads back everywhere but on the excluded target.
            PoolInfo info = await pool.QueryAsync();
            Assert.Equal(2, info.MapVersion);
            await using DaosContainer reopened = await pool.OpenContainerAsync("kept");
            int read = 0;
            for (int i = 0; i < keptOids.Count; i++)
            {
                try
                {
                    Assert.Equal($"kept {i}", Text(await reopened.OpenKeyValue(keptOids[i]).GetAsync("k")));
                    read++;
                }
                catch (DaosException e) when (e.Error == DaosError.Excluded)
                {
                    // Its only shard is on the excluded target.
                }
            }

            Assert.InRange(read, keptOids.Count / 2, keptOids.Count);
        }

        // With the cluster stopped, the rank's VOS pools on disk: no trace of the destroyed container; the kept one is there.
        int keptTargets = 0;
        for (int target = 0; target < Targets; target++)
        {
            string directory = Path.Combine(_directory, TestCluster.HostOf(down), poolUuid.ToString(), $"target-{target}");
            // Sized as the engine opens a pool of 8 MiB SCM and NVMe per target.
            await using VosPool vos = await VosPool.OpenAsync(directory, new VosPoolOptions
            {
                HeapSizeBytes = 8L << 20, WalSizeBytes = 4L << 20, BlobSizeBytes = 8L << 20,
            });
            DaosException gone = await Assert.ThrowsAsync<DaosException>(() => vos.OpenContainerAsync(destroyedUuid).AsTask());
            Assert.Equal(DaosError.NonExistent, gone.Error);
            try
            {
                _ = await vos.OpenContainerAsync(keptUuid);
                keptTargets++;
            }
            catch (DaosException e) when (e.Error == DaosError.NonExistent)
            {
                // No object of the kept container landed on this target.
            }
        }

        Assert.True(keptTargets > 0, $"rank {down} held none of the kept container's 24 objects");
    }
}
