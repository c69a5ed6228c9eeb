using System.Buffers.Binary;
using System.Text;
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

    /// <summary>
    /// The Raft term the operation running under <see cref="SerializeAsync"/> arrived in (operations run one at a time,
    /// so there is one). A leader that is deposed mid-operation keeps sending it; its successor's term is higher, which
    /// is what engines fence requests of a deposed leader with.
    /// </summary>
    protected ulong ServingTerm { get; private set; }

    /// <summary>Throws <see cref="NotLeaderException"/> unless this replica leads.</summary>
    public void EnsureLeader()
    {
        if (!IsLeader)
        {
            throw new NotLeaderException($"rank {RankOf(Replica.Id)} does not lead this service", LeaderRank);
        }
    }

    /// <summary>
    /// Runs <paramref name="operation"/> alone on the leader, in the term the request arrived in: a request that
    /// waited at the gate while this replica lost leadership is refused NotLeader even if the replica leads again by
    /// the time its turn comes (its client has retried elsewhere meanwhile; running it then would apply it late).
    /// </summary>
    public async Task<T> SerializeAsync<T>(Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        EnsureLeader();
        ulong term = Replica.Term;
        await _serial.WaitAsync(cancellationToken);
        try
        {
            EnsureLeader();
            if (Replica.Term != term)
            {
                throw new NotLeaderException($"rank {RankOf(Replica.Id)} lost leadership (term {term}) while the request waited", -1);
            }

            ServingTerm = term;

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

    /// <summary>The store of recorded operation keys: one integer store per client uuid, keyed by sequence.</summary>
    internal static readonly RdbPath OperationKeys = RdbPath.Root.Append("operation-keys");

    /// <summary>How many outcomes are kept per client: recording sequence s forgets those below s + 1 - this.</summary>
    internal ulong OperationKeysPerClientMax { get; set; } = 1024;

    /// <summary>Where a client's store keeps the sequence below which its outcomes are forgotten (sequence 0 is no key).</summary>
    private static readonly byte[] FloorKey = new byte[8];

    private const byte OutcomeFormatVersion = 1;

    /// <summary>Most forgotten outcomes deleted by one call (sequences only grow, so this keeps up).</summary>
    private const int ForgetPerCallMax = 8;

    /// <summary>
    /// Runs a mutating operation once per <paramref name="key"/> (call within <see cref="SerializeAsync"/>, after the
    /// operation's linearizable handle check).
    /// <paramref name="plan"/> reads and checks, and returns the transaction that applies the operation (or null when
    /// nothing changes) with the reply to send. The key and the reply are recorded in that same transaction, so a retry
    /// that arrives after it committed, on this leader or a later one, gets the recorded reply and applies nothing.
    /// A <see cref="DaosException"/> from <paramref name="plan"/> that a retry would meet again (not a leadership or
    /// shutdown error) is recorded the same way and thrown to every retry. A key older than the client's last
    /// <see cref="OperationKeysPerClientMax"/> calls is refused with <see cref="DaosError.TxUncertain"/>.
    /// </summary>
    protected async Task<T> OnceAsync<T>(OperationKey key, Func<Task<(RdbTransaction? Transaction, T Reply)>> plan)
        where T : IProtocolMessage<T>
    {
        if (key.IsNone)
        {
            (RdbTransaction? plain, T plainReply) = await plan();
            if (plain is not null)
            {
                await WriteAsync(plain);
            }

            return plainReply;
        }

        RdbPath clientPath = OperationKeys.Append(key.Client.ToByteArray());
        byte[] sequenceKey = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(sequenceKey, key.Sequence);
        // Recording sequence s forgets every outcome below s + 1 - OperationKeysPerClientMax (a few per call, oldest
        // first) and raises the client's floor there: a retry from below the floor is refused, never applied again.
        ulong newFloor = key.Sequence > OperationKeysPerClientMax ? key.Sequence + 1 - OperationKeysPerClientMax : 0;
        // The operation has already checked its handle with a linearizable read under the serial gate, so every
        // record committed before this request's turn is applied here: the applied state answers without a
        // second ReadIndex round (which costs a heartbeat exchange, and a timeout when one is lost).
        EnsureLeader();
        (bool rootExists, bool clientExists, byte[]? recorded, ulong floor, List<byte[]> forget) = await Replica.ReadAppliedAsync(store =>
        {
            var old = new List<byte[]>();
            bool root = store.KvsExists(OperationKeys, out _);
            bool client = root && store.KvsExists(clientPath, out _);
            if (!client)
            {
                return (root, false, (byte[]?)null, 0UL, old);
            }

            byte[]? outcome = store.Lookup(clientPath, sequenceKey, out ReadOnlyMemory<byte> found) == DaosError.None ? found.ToArray() : null;
            ulong below = store.Lookup(clientPath, FloorKey, out ReadOnlyMemory<byte> f) == DaosError.None && f.Length == 8
                ? BinaryPrimitives.ReadUInt64LittleEndian(f.Span) : 0;
            byte[] first = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(first, 1);
            foreach (RdbEntry entry in store.Iterate(clientPath, first, ForgetPerCallMax))
            {
                if (entry.Key.Length == 8 && BinaryPrimitives.ReadUInt64LittleEndian(entry.Key.Span) < newFloor)
                {
                    old.Add(entry.Key.ToArray());
                }
            }

            return (root, true, outcome, below, old);
        });
        if (recorded is not null)
        {
            return Replay<T>(key, recorded);
        }

        if (key.Sequence < floor)
        {
            throw new DaosException(DaosError.TxUncertain, $"operation {key} is older than the outcomes kept for its client; its outcome is unknown");
        }

        var transaction = new RdbTransaction();
        if (!rootExists)
        {
            transaction.CreateKvs(RdbPath.Root, "operation-keys"u8, RdbKvsClass.Lexical);
        }

        if (!clientExists)
        {
            transaction.CreateKvs(OperationKeys, key.Client.ToByteArray(), RdbKvsClass.Integer);
        }

        RdbTransaction? operation;
        T reply;
        try
        {
            (operation, reply) = await plan();
        }
        catch (DaosException e) when (e is not NotLeaderException && e.Error is not (DaosError.NotLeader or DaosError.Shutdown
            or DaosError.Timeout or DaosError.TxUncertain or DaosError.Unreachable or DaosError.Canceled or DaosError.OperationCanceled))
        {
            Record(transaction, clientPath, sequenceKey, EncodeOutcome(e.Error, Encoding.UTF8.GetBytes(e.Message)), Math.Max(floor, newFloor), forget);
            await WriteAsync(transaction);
            throw;
        }

        if (operation is not null)
        {
            foreach (RdbOperation step in operation.Operations)
            {
                transaction.Add(step);
            }
        }

        Record(transaction, clientPath, sequenceKey, EncodeOutcome(DaosError.None, ProtocolCodec.EncodeToArray(reply)), Math.Max(floor, newFloor), forget);
        await WriteAsync(transaction);
        return reply;
    }

    private static void Record(RdbTransaction transaction, RdbPath clientPath, byte[] sequenceKey, byte[] outcome, ulong floor, IReadOnlyList<byte[]> forget)
    {
        transaction.Update(clientPath, sequenceKey, outcome);
        foreach (byte[] old in forget)
        {
            transaction.Delete(clientPath, old);
        }

        if (floor > 0)
        {
            byte[] value = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(value, floor);
            transaction.Update(clientPath, FloorKey, value);
        }
    }

    private static byte[] EncodeOutcome(DaosError status, ReadOnlySpan<byte> payload)
    {
        byte[] outcome = new byte[5 + payload.Length];
        outcome[0] = OutcomeFormatVersion;
        BinaryPrimitives.WriteInt32LittleEndian(outcome.AsSpan(1), (int)status);
        payload.CopyTo(outcome.AsSpan(5));
        return outcome;
    }

    private static T Replay<T>(OperationKey key, byte[] outcome)
        where T : IProtocolMessage<T>
    {
        if (outcome.Length < 5 || outcome[0] != OutcomeFormatVersion)
        {
            throw new DaosException(DaosError.Corrupted, $"the recorded outcome of operation {key} is unreadable");
        }

        var status = (DaosError)BinaryPrimitives.ReadInt32LittleEndian(outcome.AsSpan(1));
        if (status != DaosError.None)
        {
            throw new DaosException(status, Encoding.UTF8.GetString(outcome.AsSpan(5)));
        }

        return ProtocolCodec.Decode<T>(outcome.AsMemory(5));
    }

    public virtual async ValueTask DisposeAsync()
    {
        await Replica.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
