using Daos.Engine.Rdb;
using Daos.Engine.Rdb.Raft;
using Daos.Harness.Storage;
using Daos.Transport;

namespace Daos.Engine.Tests.Rdb;

/// <summary>
/// A replica's Raft opcode is its group's for as long as the replica runs: disposed (its pool shard destroyed), it
/// gives the opcode back, so a replica of the same group started again on the same engine (a create resumed with the
/// record it planned) can take it; two running replicas never share one.
/// </summary>
public sealed class RdbReplicaOpcodeTests
{
    private const ushort Opcode = 0x1234;

    [Fact]
    public async Task A_disposed_replica_gives_its_opcode_back_and_a_running_one_keeps_it()
    {
        var network = new InProcessNetwork();
        using var executor = new DedicatedThreadExecutor("rdb-opcode");
        await using var rpc = new RpcNode(network, executors: RpcExecutors.Everywhere(executor));
        TransportAddress address = await rpc.ListenAsync(TransportAddress.InProcess("rdb-opcode"));

        RdbReplica first = Replica(rpc, executor, address);
        await first.StartAsync();
        RdbReplica rival = Replica(rpc, executor, address);
        DaosException taken = await Assert.ThrowsAsync<DaosException>(rival.StartAsync);
        Assert.Equal(DaosError.Exists, taken.Error);
        await first.DisposeAsync();

        await using RdbReplica again = Replica(rpc, executor, address);
        await again.StartAsync();
        RdbWriteResult written = default;
        for (int attempt = 0; attempt < 200 && written.Status != DaosError.None; attempt++)
        {
            written = await again.WriteAsync(new RdbTransaction().Update(RdbPath.Root, "k"u8.ToArray(), "v"u8.ToArray()));
            if (written.Status != DaosError.None)
            {
                await Task.Delay(10);
            }
        }

        Assert.Equal(DaosError.None, written.Status); // it elected itself over the opcode it took: its messages arrive
    }

    private static RdbReplica Replica(RpcNode rpc, IRpcExecutor executor, TransportAddress address) => new(new RdbReplicaOptions
    {
        GroupId = 7,
        Raft = new RaftOptions { ReplicaId = 1, ElectionTicks = 10, HeartbeatTicks = 1 },
        Addresses = new Dictionary<ulong, TransportAddress> { [1] = address },
        InitialConfiguration = new RaftConfiguration([1UL]),
        RaftOpcode = Opcode,
    }, new SimulatedMedium(), rpc, executor, new DeterministicRandom(1));
}
