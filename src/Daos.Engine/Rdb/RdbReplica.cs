using System.Buffers;
using Daos.Engine.Rdb.Log;
using Daos.Engine.Rdb.Raft;
using Daos.Storage;
using Daos.Transport;

namespace Daos.Engine.Rdb;

/// <summary>
/// One replica of an RDB group, hosted on an engine target: the <see cref="RaftNode"/>, its
/// <see cref="DurableRaftLog"/> and the <see cref="RdbStore"/>, driven on the target's single-threaded
/// <see cref="IRpcExecutor"/>. Raft messages travel as RPCs (<see cref="RaftMessageCodec"/>) through the transport,
/// so the same replica runs over TCP, in-process and simulated networks; ticks come from the transport's
/// <see cref="TimeProvider"/>. Writes are transactions proposed at the leader; reads are linearizable (ReadIndex or
/// lease, as the Raft options say) and served from the local store once it has applied the confirmed index.
/// </summary>
/// <remarks>
/// Every touch of the node, log and store happens on the executor. Public methods may be called from any thread:
/// they post to the executor and complete their task from it. The executor must run one callback at a time.
/// </remarks>
public sealed class RdbReplica : IAsyncDisposable
{
    /// <summary>Default RPC opcode of Raft messages.</summary>
    public const ushort DefaultRaftOpcode = 0x0500;

    private readonly RdbReplicaOptions _options;
    private readonly IStorageMedium _medium;
    private readonly RpcNode _rpc;
    private readonly IRpcExecutor _executor;
    private readonly DeterministicRandom _random;
    private readonly RdbStore _store = new();
    private readonly Dictionary<ulong, PendingWrite> _writes = [];
    private readonly Dictionary<ulong, PendingRead> _reads = [];
    private readonly List<ReadState> _confirmedReads = [];
    private readonly List<QueuedWrite> _queuedWrites = [];
    private readonly List<ulong> _readsAwaitingLeaderCommit = [];
    private readonly List<ReadOnlyMemory<byte>> _proposalBatch = [];
    private readonly List<ProposalResult> _proposalResults = [];
    private DurableRaftLog? _log;
    private RaftNode? _node;
    private ITimer? _timer;
    private readonly RpcHandler _raftHandler;
    private ulong _ticks;
    private ulong _nextReadContext = 1;
    private RaftRole _role = RaftRole.Follower;
    private bool _stopped;
    private bool _drainScheduled;

    /// <summary>Creates a replica; <see cref="StartAsync"/> opens its log and joins the group.</summary>
    /// <param name="options">Settings.</param>
    /// <param name="medium">Where the log and snapshot live.</param>
    /// <param name="rpc">The node's RPC endpoint; the replica registers its opcode there.</param>
    /// <param name="executor">The single-threaded executor of the target hosting the replica (the one the node's
    /// executor selector returns for <see cref="RdbReplicaOptions.Target"/>).</param>
    /// <param name="random">Source of election jitter.</param>
    public RdbReplica(RdbReplicaOptions options, IStorageMedium medium, RpcNode rpc, IRpcExecutor executor, DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(medium);
        ArgumentNullException.ThrowIfNull(rpc);
        ArgumentNullException.ThrowIfNull(executor);
        ArgumentNullException.ThrowIfNull(random);
        _options = options;
        _medium = medium;
        _rpc = rpc;
        _executor = executor;
        _random = random;
        _raftHandler = HandleRaftMessage;
    }

    /// <summary>Called on the executor when this replica becomes leader, with the term (start the service here).</summary>
    public Action<ulong>? SteppedUp { get; set; }

    /// <summary>Called on the executor when this replica stops being leader, with the term (stop the service here).</summary>
    public Action<ulong>? SteppedDown { get; set; }

    /// <summary>This replica's id.</summary>
    public ulong Id => _options.Raft.ReplicaId;

    /// <summary>The replica's role (read on the executor for an exact answer).</summary>
    public RaftRole Role => _role;

    /// <summary>The leader this replica knows of, or 0.</summary>
    public ulong LeaderId { get; private set; }

    /// <summary>The current term.</summary>
    public ulong Term { get; private set; }

    /// <summary>
    /// The storage error that stopped this replica, or null. A replica whose log cannot be written stops at once
    /// (its memory may be ahead of its disk): pending writes end <see cref="DaosError.TxUncertain"/>, later requests
    /// <see cref="DaosError.Shutdown"/>. Restart it from its medium once the fault is dealt with.
    /// </summary>
    public DaosException? Fault { get; private set; }

    /// <summary>The local state machine; read it only on the executor, and only after a linearizable read point for fresh data.</summary>
    public RdbStore Store => _store;

    /// <summary>Called on the executor after each committed entry is applied, for checkers.</summary>
    internal Action<LogEntry>? EntryApplied { get; set; }

    /// <summary>The durable log (after start), for checkers.</summary>
    internal DurableRaftLog? Log => _log;

    /// <summary>The Raft node (after start), for checkers.</summary>
    internal RaftNode? Node => _node;

    /// <summary>Opens the log (recovering after a crash), rebuilds the store from the snapshot, registers the handler and starts ticking.</summary>
    public Task StartAsync()
    {
        _rpc.RegisterHandler(_options.RaftOpcode, _raftHandler);
        return OnExecutor(() =>
        {
            _log = DurableRaftLog.Open(_medium, _options.InitialConfiguration);
            if (!_log.Snapshot.IsEmpty)
            {
                _store.Restore(_log.Snapshot.Data.Span);
            }

            _node = new RaftNode(_options.Raft, _log, _random);
            _timer = _rpc.Options.TimeProvider.CreateTimer(static s => ((RdbReplica)s!).PostTick(), this, _options.TickInterval, _options.TickInterval);
            Drain();
            return true;
        });
    }

    /// <summary>
    /// Proposes <paramref name="transaction"/> and completes when its outcome is known (see <see cref="RdbWriteResult"/>).
    /// A transaction larger than the proposal limit is refused with <see cref="DaosError.RecordTooBig"/>.
    /// </summary>
    /// <remarks>
    /// Writes that reach the executor before its next drain are proposed together: one log record and one sync on the
    /// leader, one append message per follower.
    /// </remarks>
    public Task<RdbWriteResult> WriteAsync(RdbTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        if (transaction.EncodedSizeBytes > _options.Raft.ProposalSizeBytesMax)
        {
            return Task.FromResult(new RdbWriteResult(DaosError.RecordTooBig, 0, 0));
        }

        byte[] encoded = transaction.Encode();
        var completion = new TaskCompletionSource<RdbWriteResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _executor.Post(_ =>
        {
            if (_node is null || _stopped)
            {
                completion.SetResult(new RdbWriteResult(DaosError.Shutdown, 0, 0));
                return;
            }

            _queuedWrites.Add(new QueuedWrite(encoded, completion));
            ScheduleDrain();
        }, null);
        return completion.Task;
    }

    /// <summary>
    /// Runs <paramref name="read"/> against the store at a linearizable point: it sees every write committed before
    /// this call. Fails with <see cref="DaosError.NotLeader"/> (no leader known, or leadership lost; retry),
    /// <see cref="DaosError.Busy"/> or <see cref="DaosError.Timeout"/>. At a leader that has not yet committed an entry
    /// of its term the read waits for that commit.
    /// </summary>
    public Task<T> ReadAsync<T>(Func<RdbStore, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _executor.Post(_ =>
        {
            if (_node is null || _stopped)
            {
                completion.SetException(new DaosException(DaosError.Shutdown, "replica stopped"));
                return;
            }

            ulong context = _nextReadContext++;
            ReadRequestStatus status = _node.RequestRead(context);
            if (status is ReadRequestStatus.Accepted or ReadRequestStatus.NotReady)
            {
                _reads[context] = new PendingRead(_ticks, () => completion.TrySetResult(read(_store)),
                    e => completion.TrySetException(e));
                if (status == ReadRequestStatus.NotReady)
                {
                    // A new leader: asked again once it has committed an entry of its term (or times out).
                    _readsAwaitingLeaderCommit.Add(context);
                }
            }
            else
            {
                DaosError error = status == ReadRequestStatus.Busy ? DaosError.Busy : DaosError.NotLeader;
                completion.SetException(new DaosException(error, $"read refused: {status}, leader {_node.LeaderId}"));
            }

            ScheduleDrain();
        }, null);
        return completion.Task;
    }

    /// <summary>
    /// Reads this replica's applied state as it is, with no ReadIndex round: not linearizable on its own. A leader's
    /// service uses it only after a linearizable read within the same serialized operation, when everything committed
    /// before that read is applied and nothing else of this service can commit meanwhile.
    /// </summary>
    public Task<T> ReadAppliedAsync<T>(Func<RdbStore, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        return OnExecutor(() => read(_store));
    }

    /// <summary>Asks this replica (the leader) to hand leadership to <paramref name="target"/>.</summary>
    public Task<bool> TransferLeadershipAsync(ulong target) => OnExecutor(() =>
    {
        if (_node is null || _stopped)
        {
            return false;
        }

        bool started = _node.TransferLeadership(target);
        ScheduleDrain();
        return started;
    });

    /// <summary>Stops ticking and answers later requests with <see cref="DaosError.Shutdown"/>; the log stays on the medium.</summary>
    public async ValueTask DisposeAsync()
    {
        // The opcode is the group's: a pool destroyed and created again on this engine (a create resumed with the
        // record it planned) registers it anew.
        _rpc.UnregisterHandler(_options.RaftOpcode, _raftHandler);
        await OnExecutor(() =>
        {
            _stopped = true;
            _timer?.Dispose();
            FailAll(new DaosException(DaosError.Shutdown, "replica stopped"));
            _log?.Dispose();
            return true;
        });
    }

    private Task<T> OnExecutor<T>(Func<T> action)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _executor.Post(_ =>
        {
            try
            {
                completion.SetResult(action());
            }
            catch (Exception e)
            {
                completion.SetException(e);
            }
        }, null);
        return completion.Task;
    }

    private void PostTick() => _executor.Post(static s => ((RdbReplica)s!).OnTick(), this);

    private void OnTick()
    {
        if (_node is null || _stopped)
        {
            return;
        }

        _ticks++;
        _node.Tick();
        ExpireRequests();
        ScheduleDrain();
    }

    private ValueTask<DaosError> HandleRaftMessage(RpcRequest request, IBufferWriter<byte> response, CancellationToken cancellationToken)
    {
        // Runs on the executor of the request's target, which is this replica's executor.
        if (_node is null || _stopped)
        {
            return ValueTask.FromResult(DaosError.Shutdown);
        }

        RaftMessage message = RaftMessageCodec.Decode(request.Body.Span, _options.GroupId, _options.Raft.ProposalSizeBytesMax + _options.Raft.SnapshotChunkSizeBytes);
        if (message.To != Id || !_options.Addresses.ContainsKey(message.From))
        {
            return ValueTask.FromResult(DaosError.Protocol);
        }
        _node.Step(message);
        ScheduleDrain();
        return ValueTask.FromResult(DaosError.None);
    }

    // Batching: whatever reaches the executor before the drain it schedules (client writes, Raft messages, ticks,
    // reads) is stepped into the node first, so one Ready, one log record and one sync serve all of it.
    private void ScheduleDrain()
    {
        if (_drainScheduled)
        {
            return;
        }

        _drainScheduled = true;
        _executor.Post(static s => ((RdbReplica)s!).RunScheduledDrain(), this);
    }

    private void RunScheduledDrain()
    {
        _drainScheduled = false;
        if (_node is null || _stopped)
        {
            return;
        }

        ProposeQueuedWrites(_node);
        Drain();
    }

    private void ProposeQueuedWrites(RaftNode node)
    {
        if (_queuedWrites.Count == 0)
        {
            return;
        }

        _proposalBatch.Clear();
        _proposalResults.Clear();
        foreach (QueuedWrite write in _queuedWrites)
        {
            _proposalBatch.Add(write.Data);
        }

        node.Propose(_proposalBatch, _proposalResults);
        for (int i = 0; i < _queuedWrites.Count; i++)
        {
            TaskCompletionSource<RdbWriteResult> completion = _queuedWrites[i].Completion;
            ProposalResult result = _proposalResults[i];
            switch (result.Status)
            {
                case ProposalStatus.Accepted:
                    _writes[result.Index] = new PendingWrite(result.Term, _ticks, completion);
                    break;
                case ProposalStatus.Busy:
                    completion.SetResult(new RdbWriteResult(DaosError.Busy, 0, result.LeaderHint));
                    break;
                default:
                    completion.SetResult(new RdbWriteResult(DaosError.NotLeader, 0, result.LeaderHint));
                    break;
            }
        }

        _queuedWrites.Clear();
        _proposalBatch.Clear();
    }

    // Works off every Ready: persist, send, apply, advance, in the order the Ready contract requires. A log that
    // cannot be written stops the replica (see Fault).
    private void Drain()
    {
        try
        {
            DrainReadies();
        }
        catch (DaosException e)
        {
            FailStop(e);
        }
    }

    private void DrainReadies()
    {
        RaftNode node = _node!;
        DurableRaftLog log = _log!;
        while (node.HasReady)
        {
            Ready ready = node.GetReady();

            // A leader may replicate in parallel with its own log write (Raft thesis 10.2.1): followers persist and
            // acknowledge the entries meanwhile, but those acknowledgements reach the node only in a later executor
            // callback, after Persist below returned, so the leader counts itself towards a commit only once its own
            // copy is durable. A Ready that changes the term or vote, or installs a snapshot, persists first.
            bool sendFirst = ready.Role == RaftRole.Leader && ready.Snapshot is null && !ChangesTermOrVote(ready.HardState, log.HardState);

            // Committed entries that are already durable here (and not about to be replaced) need not wait for this
            // Ready's write: applying them first acknowledges the previous batch while this one syncs.
            bool applyFirst = ready.Snapshot is null && CommittedAreDurable(ready, log);
            if (sendFirst)
            {
                SendAll(ready);
            }

            if (applyFirst)
            {
                ApplyCommitted(ready);
            }

            log.Persist(ready);
            if (!sendFirst)
            {
                SendAll(ready);
            }

            if (ready.Snapshot is { } snapshot)
            {
                _store.Restore(snapshot.Data.Span);
            }

            if (!applyFirst)
            {
                ApplyCommitted(ready);
            }

            _confirmedReads.AddRange(ready.ReadStates);
            Term = node.Term;
            LeaderId = ready.LeaderId;
            node.Advance(ready);
            NoteRole(ready.Role);
        }

        RetryReadsAwaitingLeaderCommit(node);

        ServeConfirmedReads();
        if (_store.AppliedIndex >= log.Snapshot.Index + (ulong)_options.SnapshotIntervalEntries
            && _store.AppliedIndex == node.AppliedIndex && _store.AppliedIndex >= log.FirstIndex)
        {
            log.CompactTo(_store.AppliedIndex, node.AppliedConfiguration, _store.CreateSnapshot());
        }
    }

    private void RetryReadsAwaitingLeaderCommit(RaftNode node)
    {
        if (_readsAwaitingLeaderCommit.Count == 0)
        {
            return;
        }

        bool accepted = false;
        int kept = 0;
        for (int i = 0; i < _readsAwaitingLeaderCommit.Count; i++)
        {
            ulong context = _readsAwaitingLeaderCommit[i];
            if (!_reads.TryGetValue(context, out PendingRead read))
            {
                continue; // Timed out meanwhile.
            }

            ReadRequestStatus status = node.Role == RaftRole.Leader ? node.RequestRead(context) : ReadRequestStatus.NoLeader;
            switch (status)
            {
                case ReadRequestStatus.NotReady:
                    _readsAwaitingLeaderCommit[kept++] = context;
                    break;
                case ReadRequestStatus.Accepted:
                    accepted = true;
                    break;
                default:
                    _reads.Remove(context);
                    DaosError error = status == ReadRequestStatus.Busy ? DaosError.Busy : DaosError.NotLeader;
                    read.Fail(new DaosException(error, $"read refused: {status}, leader {node.LeaderId}"));
                    break;
            }
        }

        _readsAwaitingLeaderCommit.RemoveRange(kept, _readsAwaitingLeaderCommit.Count - kept);
        if (accepted)
        {
            ScheduleDrain();
        }
    }

    private static bool CommittedAreDurable(Ready ready, DurableRaftLog log)
    {
        if (ready.CommittedEntries.Count == 0)
        {
            return false;
        }

        ulong lastCommitted = ready.CommittedEntries[^1].Index;
        return lastCommitted <= log.LastIndex && (ready.Entries.Count == 0 || ready.Entries[0].Index > lastCommitted);
    }

    private void ApplyCommitted(Ready ready)
    {
        foreach (LogEntry entry in ready.CommittedEntries)
        {
            Apply(entry);
        }
    }

    private static bool ChangesTermOrVote(HardState? next, HardState current) =>
        next is { } state && (state.Term != current.Term || state.Vote != current.Vote);

    private void SendAll(Ready ready)
    {
        foreach (RaftMessage message in ready.Messages)
        {
            Send(message);
        }
    }

    // The log may now be behind what this replica has already promised or applied in memory: stop, as a crash would.
    private void FailStop(DaosException fault)
    {
        Fault = fault;
        _stopped = true;
        _timer?.Dispose();
        FailAll(fault);
    }

    private void Apply(LogEntry entry)
    {
        DaosError status = DaosError.None;
        if (entry.Kind == LogEntryKind.Normal && entry.Data.Length > 0)
        {
            status = _store.Apply(entry.Index, entry.Data.Span);
        }
        else
        {
            _store.Skip(entry.Index);
        }

        EntryApplied?.Invoke(entry);
        if (_writes.Remove(entry.Index, out PendingWrite write))
        {
            // Another leader's entry at this index means ours was overwritten and never applied.
            write.Completion.TrySetResult(write.Term == entry.Term
                ? new RdbWriteResult(status, entry.Index, LeaderId)
                : new RdbWriteResult(DaosError.NotLeader, 0, LeaderId));
        }
    }

    private void ServeConfirmedReads()
    {
        for (int i = _confirmedReads.Count - 1; i >= 0; i--)
        {
            ReadState state = _confirmedReads[i];
            if (state.Index > _store.AppliedIndex)
            {
                continue;
            }

            _confirmedReads.RemoveAt(i);
            if (_reads.Remove(state.Context, out PendingRead read))
            {
                try
                {
                    read.Serve();
                }
                catch (Exception e)
                {
                    read.Fail(e);
                }
            }
        }
    }

    private void NoteRole(RaftRole role)
    {
        if (role == _role)
        {
            return;
        }

        RaftRole previous = _role;
        _role = role;
        if (role == RaftRole.Leader)
        {
            SteppedUp?.Invoke(Term);
        }
        else if (previous == RaftRole.Leader)
        {
            // Writes proposed in this term may still commit under the next leader, or may not.
            foreach (KeyValuePair<ulong, PendingWrite> pair in _writes)
            {
                pair.Value.Completion.TrySetResult(new RdbWriteResult(DaosError.TxUncertain, pair.Key, LeaderId));
            }

            _writes.Clear();
            SteppedDown?.Invoke(Term);
        }
    }

    private void ExpireRequests()
    {
        ulong timeout = (ulong)_options.RequestTimeoutTicks;
        foreach (ulong index in _writes.Where(p => _ticks - p.Value.StartTick > timeout).Select(p => p.Key).ToList())
        {
            _writes.Remove(index, out PendingWrite write);
            write.Completion.TrySetResult(new RdbWriteResult(DaosError.TxUncertain, index, LeaderId));
        }

        foreach (ulong context in _reads.Where(p => _ticks - p.Value.StartTick > timeout).Select(p => p.Key).ToList())
        {
            _reads.Remove(context, out PendingRead read);
            read.Fail(new DaosException(DaosError.Timeout, "linearizable read not confirmed in time"));
        }
    }

    private void FailAll(DaosException reason)
    {
        // Proposed writes may still commit under another leader; queued ones never reached the log.
        foreach (KeyValuePair<ulong, PendingWrite> pair in _writes)
        {
            pair.Value.Completion.TrySetResult(new RdbWriteResult(DaosError.TxUncertain, pair.Key, 0));
        }

        foreach (QueuedWrite write in _queuedWrites)
        {
            write.Completion.TrySetResult(new RdbWriteResult(DaosError.Shutdown, 0, 0));
        }

        foreach (PendingRead read in _reads.Values)
        {
            read.Fail(reason);
        }

        _writes.Clear();
        _queuedWrites.Clear();
        _reads.Clear();
        _readsAwaitingLeaderCommit.Clear();
    }

    private void Send(RaftMessage message)
    {
        if (!_options.Addresses.TryGetValue(message.To, out TransportAddress address))
        {
            return;
        }

        byte[] body = RaftMessageCodec.Encode(message, _options.GroupId);
        _ = SendAsync(_rpc.GetPeer(address), body);
    }

    // Raft tolerates loss: a failed send is dropped, the protocol retries.
    private async Task SendAsync(RpcPeer peer, byte[] body)
    {
        try
        {
            using RpcResponse response = await peer.SendAsync(_options.RaftOpcode, _options.Target, body, timeout: _options.TickInterval * _options.Raft.ElectionTicks);
        }
        catch (DaosException)
        {
        }
        catch (OperationCanceledException)
        {
        }
    }

    private readonly record struct QueuedWrite(byte[] Data, TaskCompletionSource<RdbWriteResult> Completion);

    private readonly record struct PendingWrite(ulong Term, ulong StartTick, TaskCompletionSource<RdbWriteResult> Completion);

    private readonly record struct PendingRead(ulong StartTick, Action Serve, Action<Exception> Fail);
}
