using System.Collections.Concurrent;
using Daos.Engine.Engine;
using Daos.Protocol;
using Daos.Protocol.Management;
using Daos.Threading;
using Daos.Transport;

namespace Daos.Engine.Pools;

/// <summary>
/// Calls a pool's service from inside the engine (a target checking a container handle): starts at the last known
/// leader, follows NotLeader hints, walks the service ranks otherwise, and waits a little between rounds while the
/// service elects a leader. Bounded by <see cref="AttemptsMax"/>.
/// </summary>
internal sealed class PoolServiceClient(EngineCalls calls, TimeProvider time)
{
    public const int AttemptsMax = 40;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(25);
    private readonly ConcurrentDictionary<Guid, int> _leaders = new();

    public async Task<TReply> CallAsync<TRequest, TReply>(PoolShardCreateRequest pool, ushort opcode, TRequest request, CancellationToken cancellationToken = default)
        where TRequest : IProtocolMessage<TRequest>
        where TReply : IProtocolMessage<TReply>
    {
        int next = _leaders.TryGetValue(pool.Uuid, out int known) ? known : pool.ServiceRanks[0];
        DaosException? last = null;
        for (int attempt = 0; attempt < AttemptsMax; attempt++)
        {
            int rank = next;
            RankAddress? address = null;
            foreach (RankAddress candidate in pool.Ranks)
            {
                if (candidate.Rank == rank)
                {
                    address = candidate;
                }
            }

            next = pool.ServiceRanks[(IndexOf(pool.ServiceRanks, rank) + 1) % pool.ServiceRanks.Count];
            if (address is null)
            {
                continue;
            }

            try
            {
                TReply reply = await calls.CallAsync<TRequest, TReply>(TransportAddress.Parse(address.Value.Address), opcode, ProtocolTargets.System,
                    request, cancellationToken);
                _leaders[pool.Uuid] = rank;
                return reply;
            }
            catch (NotLeaderException e)
            {
                last = e;
                if (e.LeaderRank >= 0 && e.LeaderRank != rank && IndexOf(pool.ServiceRanks, e.LeaderRank) >= 0)
                {
                    next = e.LeaderRank;
                    continue;
                }
            }
            catch (DaosException e) when (e.Error is DaosError.Unreachable or DaosError.Timeout or DaosError.Shutdown
                or DaosError.TxUncertain or DaosError.Canceled)
            {
                last = e;
            }

            await ClockDelay.WaitAsync(time, RetryDelay, cancellationToken);
        }

        throw new DaosException(DaosError.Unreachable, $"pool {pool.Uuid} service did not answer after {AttemptsMax} attempts: {last?.Message}", last);
    }

    private static int IndexOf(IReadOnlyList<int> ranks, int rank)
    {
        for (int i = 0; i < ranks.Count; i++)
        {
            if (ranks[i] == rank)
            {
                return i;
            }
        }

        return -1;
    }
}
