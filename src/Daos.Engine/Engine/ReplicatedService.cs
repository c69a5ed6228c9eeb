using Daos.Engine.Rdb;
using Daos.Engine.Rdb.Raft;
using Daos.Protocol;
using Daos.Threading;

namespace Daos.Engine.Engine;

/// <summary>
/// What the management service and every pool service share: an <see cref="RdbReplica"/> whose replica ids are
/// rank + 1, answered NotLeader (with the leader's rank) unless it leads, and one gate that runs the service's
/// read-check-write operations one at a time on the leader, so that checks such as "this label is free" still hold
/// when the transaction that depends on them commits.
/// </summary>
internal abstract class ReplicatedService(RdbReplica replica) : IAsyncDisposable
{
    private readonly AsyncGate _serial = new();

    public RdbReplica Replica { get; } = replica;

    public static ulong ReplicaIdOf(int rank) => (ulong)rank + 1;

    public static int RankOf(ulong replicaId) => replicaId == 0 ? -1 : (int)(replicaId - 1);

    public bool IsLeader => Replica.Role == RaftRole.Leader;

    public int LeaderRank => RankOf(Replica.LeaderId);

    /// <summary>Throws <see cref="NotLeaderException"/> unless this replica leads.</summary>
    public void EnsureLeader()
    {
        if (!IsLeader)
        {
            throw new NotLeaderException($"rank {RankOf(Replica.Id)} does not lead this service", LeaderRank);
        }
    }

    /// <summary>Runs <paramref name="operation"/> alone on the leader.</summary>
    public async Task<T> SerializeAsync<T>(Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        EnsureLeader();
        await _serial.WaitAsync(cancellationToken);
        try
        {
            EnsureLeader();
            return await operation();
        }
        finally
        {
            _serial.Release();
        }
    }

    /// <summary>A linearizable read on the leader.</summary>
    public async Task<T> ReadAsync<T>(Func<RdbStore, T> read)
    {
        EnsureLeader();
        try
        {
            return await Replica.ReadAsync(read);
        }
        catch (DaosException e) when (e.Error == DaosError.NotLeader && e is not NotLeaderException)
        {
            throw new NotLeaderException(e.Message, LeaderRank);
        }
    }

    /// <summary>
    /// Writes the service's initial layout after step-up. The first leader creates it; a later leader's identical
    /// transaction fails with Exists, which is how it learns the service is initialized. Retried every
    /// <paramref name="retryInterval"/> while this replica still leads (a write right after an election can be refused).
    /// </summary>
    protected async Task WriteLayoutAsync(RdbTransaction layout, TimeProvider time, TimeSpan retryInterval)
    {
        for (int attempt = 0; attempt == 0 || IsLeader; attempt++)
        {
            RdbWriteResult result;
            try
            {
                result = await Replica.WriteAsync(layout);
            }
            catch (DaosException)
            {
                return;
            }

            if (result.Status is DaosError.None or DaosError.Exists or DaosError.NotLeader or DaosError.Shutdown)
            {
                return;
            }

            await ClockDelay.WaitAsync(time, retryInterval);
        }
    }

    /// <summary>Commits <paramref name="transaction"/>; a refusal by the state machine throws its error.</summary>
    public async Task WriteAsync(RdbTransaction transaction)
    {
        RdbWriteResult result = await Replica.WriteAsync(transaction);
        switch (result.Status)
        {
            case DaosError.None:
                return;
            case DaosError.NotLeader:
                throw new NotLeaderException("leadership moved", RankOf(result.LeaderHint));
            default:
                throw new DaosException(result.Status, $"service transaction failed with {result.Status}");
        }
    }

    public virtual async ValueTask DisposeAsync()
    {
        await Replica.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
