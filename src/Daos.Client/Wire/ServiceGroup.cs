using Daos.Protocol;

namespace Daos.Client.Wire;

/// <summary>
/// The replicas of one pool's service (RDB) and a guess of its leader. Calls go to the guess; a NotLeader answer
/// moves the guess to the hinted rank (or the next replica when there is no hint), an unreachable replica moves it
/// to the next one; both retry within the client's bounded policy.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class ServiceGroup
{
    private readonly ClientRuntime _runtime;
    private int[] _replicas;
    private int _leaderGuess;

    public ServiceGroup(ClientRuntime runtime, IReadOnlyList<int> replicas, int leaderHint = -1)
    {
        if (replicas.Count == 0)
        {
            ThrowHelper.Throw(DaosError.NoService, "the pool has no service replicas");
        }

        _runtime = runtime;
        _replicas = [.. replicas];
        _leaderGuess = leaderHint >= 0 ? leaderHint : _replicas[0];
    }

    public IReadOnlyList<int> Replicas => Volatile.Read(ref _replicas);

    public int LeaderGuess => Volatile.Read(ref _leaderGuess);

    public void UpdateReplicas(IReadOnlyList<int> replicas, int leader)
    {
        if (replicas.Count > 0)
        {
            Volatile.Write(ref _replicas, [.. replicas]);
        }

        if (leader >= 0)
        {
            Volatile.Write(ref _leaderGuess, leader);
        }
    }

    /// <remarks>With <paramref name="idempotentCreate"/> (a create naming its uuid) an uncertain outcome is retried too.</remarks>
    public ValueTask<TReply> CallAsync<TRequest, TReply>(ushort opcode, TRequest request, CancellationToken ct, bool idempotentCreate = false)
        where TRequest : IProtocolMessage<TRequest>
        where TReply : IProtocolMessage<TReply> =>
        _runtime.Retry.RunAsync(
            (Self: this, Opcode: opcode, Request: request),
            static async (s, token) =>
            {
                int rank = s.Self.LeaderGuess;
                var address = await s.Self._runtime.AddressOfAsync(rank, token);
                return await s.Self._runtime.CallAsync<TRequest, TReply>(address, s.Opcode, ProtocolTargets.System, s.Request, token);
            },
            static (s, error, _) =>
            {
                s.Self.Follow(error);
                return ValueTask.CompletedTask;
            },
            idempotentCreate ? Retries.RetryPolicy.IsRetryableCreate : Retries.RetryPolicy.IsTransient,
            ct);

    private void Follow(DaosException error)
    {
        int current = LeaderGuess;
        if (error is NotLeaderException { LeaderRank: >= 0 } notLeader && notLeader.LeaderRank != current)
        {
            Interlocked.CompareExchange(ref _leaderGuess, notLeader.LeaderRank, current);
            return;
        }

        if (error.Error is DaosError.NotLeader or DaosError.Unreachable or DaosError.Timeout or DaosError.NoService
            or DaosError.TxUncertain or DaosError.Shutdown)
        {
            int[] replicas = Volatile.Read(ref _replicas);
            int at = Array.IndexOf(replicas, current);
            Interlocked.CompareExchange(ref _leaderGuess, replicas[(at + 1) % replicas.Length], current);
        }
    }
}
