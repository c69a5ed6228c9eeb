using System.Collections.Concurrent;
using Daos.Client.Retries;
using Daos.Protocol;
using Daos.Protocol.Management;
using Daos.Transport;

namespace Daos.Client.Wire;

/// <summary>
/// What every handle of one <see cref="DaosClient"/> shares: the RPC node, the membership (rank → address) learned
/// from the management service, and the typed request/response helpers that turn error replies into exceptions.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class ClientRuntime : IAsyncDisposable
{
    private readonly ConcurrentDictionary<int, TransportAddress> _ranks = new();
    private readonly TransportAddress[] _management;
    private int _managementIndex;
    private TransportAddress? _managementLeader;

    public ClientRuntime(DaosClientOptions options, RpcNode node)
    {
        Options = options;
        Node = node;
        _management = new TransportAddress[options.ManagementEndpoints.Count];
        for (int i = 0; i < _management.Length; i++)
        {
            _management[i] = TransportAddress.Parse(options.ManagementEndpoints[i]);
        }
    }

    public DaosClientOptions Options { get; }

    public RpcNode Node { get; }

    public RetryPolicy Retry => Options.Retry;

    /// <summary>A new handle or container uuid, from <see cref="DaosClientOptions.UuidSource"/> when one is given.</summary>
    public Guid NewUuid() => Options.UuidSource is { } source ? source() : Guid.NewGuid();

    private readonly Lock _operationKeyLock = new();
    private Guid _operationClient;
    private ulong _operationSequence;

    /// <summary>
    /// A fresh key for one mutating service call: this client's uuid (drawn on first use) and the next sequence
    /// number. The caller builds its request once with it, so every retry of that call carries the same key.
    /// </summary>
    public OperationKey NextOperationKey()
    {
        lock (_operationKeyLock)
        {
            if (_operationClient == Guid.Empty)
            {
                _operationClient = NewUuid();
            }

            return new OperationKey(_operationClient, ++_operationSequence);
        }
    }

    /// <summary>One request, one typed reply; a failure status becomes the engine's <see cref="DaosException"/>.</summary>
    public async ValueTask<TReply> CallAsync<TRequest, TReply>(TransportAddress address, ushort opcode, uint target, TRequest request, CancellationToken ct)
        where TRequest : IProtocolMessage<TRequest>
        where TReply : IProtocolMessage<TReply>
    {
        byte[] body = ProtocolCodec.EncodeToArray(request);
        byte[] owned;
        using (RpcResponse response = await Node.GetPeer(address).SendAsync(opcode, target, body, 0, null, ct))
        {
            ProtocolErrors.ThrowIfFailed(response);

            // The response body is a pooled array that goes back to the pool when the response is disposed, and a
            // decoded reply slices its keys and values out of the bytes it was decoded from (no copy). Decoding
            // straight from the pooled body let a fetch reply's value point into an array the next response could
            // already be overwriting: the value read back was another request's bytes. Decode from bytes the reply owns.
            owned = response.Body.ToArray();
        }

        return ProtocolCodec.Decode<TReply>(owned);
    }

    /// <summary>
    /// One request whose reply becomes what the caller keeps while the response buffer is still held: the reply is
    /// decoded from the pooled body without copying it, and <paramref name="own"/> runs before the body goes back to
    /// the pool, so it must copy every byte it keeps (its result may not point into the reply). Fetches use this to
    /// copy each value once instead of copying the whole body first: at 1 MiB the body copy cost 230-310 µs and a
    /// gen2 collection every few fetches (docs/benchmarks/cluster.md, reply copy).
    /// </summary>
    public async ValueTask<TResult> CallAsync<TRequest, TReply, TState, TResult>(TransportAddress address, ushort opcode, uint target, TRequest request,
        TState state, Func<TReply, TState, TResult> own, CancellationToken ct)
        where TRequest : IProtocolMessage<TRequest>
        where TReply : IProtocolMessage<TReply>
    {
        byte[] body = ProtocolCodec.EncodeToArray(request);
        using RpcResponse response = await Node.GetPeer(address).SendAsync(opcode, target, body, 0, null, ct);
        ProtocolErrors.ThrowIfFailed(response);
        return own(ProtocolCodec.Decode<TReply>(response.Body), state);
    }

    /// <summary>A call to the management service: endpoints in turn, bounded retries on transient failures.</summary>
    /// <remarks>With <paramref name="idempotentCreate"/> (a create naming its uuid) an uncertain outcome is retried too.</remarks>
    public ValueTask<TReply> ManagementCallAsync<TRequest, TReply>(ushort opcode, TRequest request, CancellationToken ct, bool idempotentCreate = false)
        where TRequest : IProtocolMessage<TRequest>
        where TReply : IProtocolMessage<TReply> =>
        Retry.RunAsync(
            (Self: this, Opcode: opcode, Request: request),
            static (s, token) => s.Self.CallAsync<TRequest, TReply>(s.Self.ManagementAddress, s.Opcode, ProtocolTargets.System, s.Request, token),
            static (s, error, _) =>
            {
                s.Self.FollowManagement(error);
                return ValueTask.CompletedTask;
            },
            idempotentCreate ? RetryPolicy.IsRetryableCreate : RetryPolicy.IsTransient,
            ct);

    private TransportAddress ManagementAddress
    {
        get
        {
            lock (_management)
            {
                return _managementLeader ?? _management[_managementIndex % _management.Length];
            }
        }
    }

    /// <summary>A NotLeader hint moves calls to the leader's address when known; anything else to the next endpoint.</summary>
    private void FollowManagement(DaosException error)
    {
        lock (_management)
        {
            if (error is NotLeaderException { LeaderRank: >= 0 } hint && _ranks.TryGetValue(hint.LeaderRank, out TransportAddress leader)
                && leader != _managementLeader)
            {
                _managementLeader = leader;
                return;
            }

            if (error.Error is DaosError.Unreachable or DaosError.Timeout or DaosError.NotLeader or DaosError.NoService
                or DaosError.TxUncertain or DaosError.Shutdown)
            {
                _managementLeader = null;
                _managementIndex++;
            }
        }
    }

    /// <summary>The address of <paramref name="rank"/>; asks the management service when it is not known yet.</summary>
    public async ValueTask<TransportAddress> AddressOfAsync(int rank, CancellationToken ct)
    {
        if (_ranks.TryGetValue(rank, out TransportAddress known))
        {
            return known;
        }

        await RefreshMembershipAsync(ct);
        return _ranks.TryGetValue(rank, out known)
            ? known
            : throw new DaosException(DaosError.Unreachable, $"rank {rank} is not a member of the system");
    }

    /// <summary>Re-reads the membership (after a rank became unreachable: it may have restarted elsewhere).</summary>
    public async ValueTask<SystemQueryReply> RefreshMembershipAsync(CancellationToken ct)
    {
        SystemQueryReply reply = await ManagementCallAsync<EmptyMessage, SystemQueryReply>(ProtocolOpcodes.SystemQuery, EmptyMessage.Instance, ct);
        foreach (SystemMember member in reply.Members)
        {
            if (TransportAddress.TryParse(member.Address, out TransportAddress address))
            {
                _ranks[member.Rank] = address;
            }
        }

        return reply;
    }

    public ValueTask DisposeAsync() => Node.DisposeAsync();
}
