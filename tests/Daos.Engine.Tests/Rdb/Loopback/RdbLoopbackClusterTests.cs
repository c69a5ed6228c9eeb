using System.Text;
using Daos.Engine.Rdb;
using Xunit;

namespace Daos.Engine.Tests.Rdb.Loopback;

/// <summary>
/// Three replicas with durable file logs on real networks and clocks: elect, commit, read linearizably, lose the
/// leader, and find every committed write on the new leader.
/// </summary>
public sealed class RdbLoopbackClusterTests
{
    private const int Writes = 40;
    private static readonly TimeSpan ElectionTimeout = TimeSpan.FromSeconds(5);

    [Fact]
    public Task Tcp_CommitsSurviveLeaderLoss() => CommitsSurviveLeaderLossAsync(tcp: true);

    [Fact]
    public Task InProcess_CommitsSurviveLeaderLoss() => CommitsSurviveLeaderLossAsync(tcp: false);

    private static async Task CommitsSurviveLeaderLossAsync(bool tcp)
    {
        await using LoopbackRdbCluster cluster = await LoopbackRdbCluster.StartAsync(tcp);
        RdbReplica leader = await cluster.WaitForLeaderAsync(ElectionTimeout);

        RdbWriteResult[] results = await Task.WhenAll(Enumerable.Range(0, Writes).Select(i =>
            leader.WriteAsync(new RdbTransaction().Update(RdbPath.Root, Key(i), Value(i)))));
        Assert.All(results, r => Assert.Equal(DaosError.None, r.Status));
        Assert.Equal(Writes, results.Select(r => r.Index).Distinct().Count());

        Assert.Equal(Writes, await leader.ReadAsync(CountPresent));

        ulong oldLeader = leader.Id;
        ulong oldTerm = leader.Term;
        await cluster.KillAsync(oldLeader);

        RdbReplica successor = await cluster.WaitForLeaderAsync(ElectionTimeout, excluded: oldLeader);
        Assert.NotEqual(oldLeader, successor.Id);
        Assert.True(successor.Term > oldTerm, $"new leader's term {successor.Term} must exceed {oldTerm}");
        Assert.Equal(Writes, await successor.ReadAsync(CountPresent));

        // The survivors still make progress as a majority of two.
        RdbWriteResult after = await successor.WriteAsync(new RdbTransaction().Update(RdbPath.Root, Key(Writes), Value(Writes)));
        Assert.Equal(DaosError.None, after.Status);
        Assert.Equal(Writes + 1, await successor.ReadAsync(store => CountPresent(store, Writes + 1)));
    }

    private static int CountPresent(RdbStore store) => CountPresent(store, Writes);

    private static int CountPresent(RdbStore store, int count)
    {
        int present = 0;
        for (int i = 0; i < count; i++)
        {
            if (store.Lookup(RdbPath.Root, Key(i), out ReadOnlyMemory<byte> value) == DaosError.None && value.Span.SequenceEqual(Value(i)))
            {
                present++;
            }
        }

        return present;
    }

    private static byte[] Key(int i) => Encoding.UTF8.GetBytes($"key-{i:D4}");

    private static byte[] Value(int i) => Encoding.UTF8.GetBytes($"value-{i}");
}
