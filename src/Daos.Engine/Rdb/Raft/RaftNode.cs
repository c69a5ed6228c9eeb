namespace Daos.Engine.Rdb.Raft;

/// <summary>
/// One replica's Raft state machine, with no I/O, clock, thread or randomness of its own. The caller drives it:
/// <see cref="Tick"/> at a fixed interval, <see cref="Step(RaftMessage)"/> for every message received,
/// <see cref="Propose(ReadOnlyMemory{byte})"/> and <see cref="RequestRead(ulong)"/> for clients; then, whenever
/// <see cref="HasReady"/>, takes a <see cref="Ready"/>, carries it out in the order that type documents, and calls
/// <see cref="Advance(Ready)"/>.
/// </summary>
/// <remarks>
/// Not thread-safe: owned by the single thread (executor) that drives it. Implements pre-vote, check-quorum with
/// leader leases, ReadIndex and lease-based reads, snapshots streamed in chunks, single-voter and joint
/// configuration changes, and leadership transfer. See src/Daos.Engine/Rdb/README.md.
/// </remarks>
public sealed partial class RaftNode
{
    private readonly RaftOptions _options;
    private readonly DeterministicRandom _random;
    private readonly RaftLog _log;
    private readonly Dictionary<ulong, Progress> _progress = [];
    private readonly Dictionary<ulong, bool> _votes = [];
    private readonly List<RaftMessage> _messages = [];
    private readonly List<ReadState> _readStates = [];
    private readonly List<PendingRead> _pendingReads = [];
    private readonly List<LogEntry> _scratch = [];
    private readonly Dictionary<ulong, bool> _selfVote;
    private readonly List<KeyValuePair<ulong, RaftConfiguration>> _configurationHistory = [];

    // Indexes of configuration-change entries above the commit index, ascending: applied when they commit.
    private readonly List<ulong> _configEntryIndexes = [];

    private HardState _persistedHardState;
    private RaftRole _readyRole;
    private ulong _readyLeader;
    private bool _readyOutstanding;

    private int _electionElapsed;
    private int _heartbeatElapsed;
    private int _randomizedElectionTimeout;
    private int _ticksSinceLeaderContact;
    private ulong _ticks = 1;
    private ulong _leadTransferee;
    private int _transferElapsed;
    private bool _leaseRevoked;
    private ulong _pendingConfigIndex;
    private ulong _readSequence;
    private SnapshotAssembly? _assembly;

    /// <summary>
    /// Starts (or restarts) a replica from what <paramref name="storage"/> holds. A new group's storage carries the
    /// initial configuration in its snapshot (see <see cref="MemoryRaftLogStorage(RaftConfiguration?)"/>); a replica
    /// being added starts with an empty configuration and learns it from the leader.
    /// </summary>
    /// <param name="options">Settings; validated here.</param>
    /// <param name="storage">The durable log, read-only for the node.</param>
    /// <param name="random">Source of election jitter; owned by this node from now on.</param>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> for bad options.</exception>
    public RaftNode(RaftOptions options, IRaftLogStorage storage, DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(random);
        options.Validate();
        _options = options;
        _random = random;
        _selfVote = new Dictionary<ulong, bool> { [options.ReplicaId] = true };
        _log = new RaftLog(storage);
        HardState state = storage.HardState;

        // A crash part-way through persisting a Ready can leave entries (or a snapshot) of a term the hard state has
        // not reached yet, or a commit index past the entries that reached the disk. Nothing of that Ready was sent,
        // so adopting the log's term with no vote, and forgetting how far the commit had advanced, is safe.
        ulong lastTerm = _log.LastTerm;
        if (lastTerm > state.Term)
        {
            state = new HardState(lastTerm, 0, state.Commit);
        }

        if (state.Commit > _log.LastIndex)
        {
            state = state with { Commit = _log.LastIndex };
        }

        Term = state.Term;
        VotedFor = state.Vote;
        _persistedHardState = storage.HardState; // A repaired state differs, so the first Ready persists it.
        Configuration = storage.Snapshot.Configuration;
        AppliedConfiguration = Configuration;
        FindConfigurationEntries();
        _log.CommitTo(state.Commit);
        ApplyConfigurationChanges(_log.Committed);

        // A replica that restarts may have acknowledged a leader just before it stopped; with lease reads it must
        // honour that leader's lease for an election timeout before it votes for anyone else.
        _ticksSinceLeaderContact = options.ReadOnlyMode == ReadOnlyMode.LeaseBased ? 0 : options.ElectionTicks;
        BecomeFollower(Term, 0);
        _readyRole = Role;
        _readyLeader = LeaderId;
    }

    /// <summary>
    /// Entry 1 of every founding member's log: the group's first configuration, at term 1, to be persisted as committed
    /// (hard state term 1, commit 1) before the first start. Identical on every founding member, so logs agree.
    /// </summary>
    public static LogEntry BootstrapEntry(RaftConfiguration configuration) =>
        new(1, 1, LogEntryKind.ConfigChange, ConfigChange.Bootstrap(configuration).Encode());

    /// <summary>This replica's id.</summary>
    public ulong Id => _options.ReplicaId;

    /// <summary>The current term.</summary>
    public ulong Term { get; private set; }

    /// <summary>The replica voted for in <see cref="Term"/>, or 0.</summary>
    public ulong VotedFor { get; private set; }

    /// <summary>The role in <see cref="Term"/>.</summary>
    public RaftRole Role { get; private set; }

    /// <summary>The leader known in <see cref="Term"/>, or 0.</summary>
    public ulong LeaderId { get; private set; }

    /// <summary>The configuration in force: the latest committed configuration change, or the snapshot's.</summary>
    public RaftConfiguration Configuration { get; private set; }

    /// <summary>
    /// The configuration in force at <see cref="AppliedIndex"/>: the one to store in a snapshot taken there
    /// (<see cref="Configuration"/> may already include changes committed but not yet applied).
    /// </summary>
    public RaftConfiguration AppliedConfiguration { get; private set; }

    /// <summary>The highest index known committed.</summary>
    public ulong CommitIndex => _log.Committed;

    /// <summary>The highest index the caller has applied (confirmed by <see cref="Advance(Ready)"/>).</summary>
    public ulong AppliedIndex => _log.Applied;

    /// <summary>The index of the last entry in the log (persisted or not).</summary>
    public ulong LastIndex => _log.LastIndex;

    /// <summary>The replica a leadership transfer is handing over to, or 0.</summary>
    public ulong TransferTarget => _leadTransferee;

    /// <summary>Messages dropped because they came from a replica the leader does not track.</summary>
    public long UnknownSenderMessages { get; private set; }

    /// <summary>Assembled snapshots discarded because their checksum did not match.</summary>
    public long CorruptSnapshotsRejected { get; private set; }

    /// <summary>True when this replica may campaign: it is a voter.</summary>
    public bool IsPromotable => Configuration.IsVoter(Id);

    /// <summary>Advances the logical clock by one tick: drives elections, heartbeats, check-quorum and leases.</summary>
    public void Tick()
    {
        EnsureNoReadyOutstanding();
        _ticks++;
        if (_ticksSinceLeaderContact < int.MaxValue)
        {
            _ticksSinceLeaderContact++;
        }

        if (Role == RaftRole.Leader)
        {
            TickLeader();
        }
        else
        {
            _electionElapsed++;
            if (IsPromotable && _electionElapsed >= _randomizedElectionTimeout)
            {
                _electionElapsed = 0;
                StartElection(transfer: false);
            }
        }
    }

    /// <summary>
    /// Starts an election now, as if the election timeout had passed (through pre-vote when enabled): for tests and
    /// for recovery. With lease-based reads it is refused while this replica may be part of a leader's lease (it heard
    /// from a leader, or restarted, less than an election timeout ago), since its own vote could otherwise help elect
    /// a second leader while the first still answers reads.
    /// </summary>
    /// <returns>False when this replica is a leader, not a voter, or held by a lease.</returns>
    public bool Campaign()
    {
        EnsureNoReadyOutstanding();
        if (Role == RaftRole.Leader || !IsPromotable
            || (_options.ReadOnlyMode == ReadOnlyMode.LeaseBased && _ticksSinceLeaderContact < _options.ElectionTicks))
        {
            return false;
        }

        StartElection(transfer: false);
        return true;
    }

    /// <summary>
    /// Proposes <paramref name="data"/> for the log. Only a leader accepts; a follower answers
    /// <see cref="ProposalStatus.NotLeader"/> with the leader it knows of.
    /// </summary>
    /// <exception cref="DaosException"><see cref="DaosError.RecordTooBig"/> when <paramref name="data"/> exceeds <see cref="RaftOptions.ProposalSizeBytesMax"/>.</exception>
    public ProposalResult Propose(ReadOnlyMemory<byte> data)
    {
        EnsureNoReadyOutstanding();
        if (data.Length > _options.ProposalSizeBytesMax)
        {
            ThrowHelper.Throw(DaosError.RecordTooBig, $"proposal of {data.Length} bytes exceeds {_options.ProposalSizeBytesMax}");
        }

        return ProposeEntry(LogEntryKind.Normal, data);
    }

    /// <summary>
    /// Proposes every payload of <paramref name="batch"/>, in order, as if by one
    /// <see cref="Propose(ReadOnlyMemory{byte})"/> each, but the leader sends the accepted entries to each follower
    /// together (one append message per follower instead of one per payload). The outcome of each payload is added
    /// to <paramref name="results"/> in the same order; once the uncommitted limit is reached the rest answer
    /// <see cref="ProposalStatus.Busy"/>.
    /// </summary>
    /// <returns>How many were accepted.</returns>
    /// <exception cref="DaosException"><see cref="DaosError.RecordTooBig"/> when a payload exceeds
    /// <see cref="RaftOptions.ProposalSizeBytesMax"/>; nothing of the batch is appended then.</exception>
    public int Propose(IReadOnlyList<ReadOnlyMemory<byte>> batch, List<ProposalResult> results)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(results);
        EnsureNoReadyOutstanding();
        for (int i = 0; i < batch.Count; i++)
        {
            if (batch[i].Length > _options.ProposalSizeBytesMax)
            {
                ThrowHelper.Throw(DaosError.RecordTooBig, $"proposal {i} of {batch[i].Length} bytes exceeds {_options.ProposalSizeBytesMax}");
            }
        }

        int accepted = 0;
        for (int i = 0; i < batch.Count; i++)
        {
            ProposalResult result = TryAppendProposal(LogEntryKind.Normal, batch[i]);
            results.Add(result);
            if (result.IsAccepted)
            {
                accepted++;
            }
        }

        if (accepted > 0)
        {
            BroadcastAppend();
        }

        return accepted;
    }

    /// <summary>
    /// Proposes a membership change. One change may be pending at a time; a second answers <see cref="ProposalStatus.Busy"/>.
    /// </summary>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> when the change does not apply to the current configuration.</exception>
    public ProposalResult ProposeConfigChange(ConfigChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        EnsureNoReadyOutstanding();
        if (Role != RaftRole.Leader)
        {
            return new ProposalResult(ProposalStatus.NotLeader, 0, 0, LeaderId);
        }

        if (_pendingConfigIndex > _log.Committed)
        {
            return new ProposalResult(ProposalStatus.Busy, 0, 0, Id);
        }

        if (Configuration.TryApply(change) is null)
        {
            ThrowHelper.InvalidArgument($"change {change} does not apply to configuration {Configuration}");
        }

        ProposalResult result = ProposeEntry(LogEntryKind.ConfigChange, change.Encode());
        if (result.IsAccepted)
        {
            _pendingConfigIndex = result.Index;
        }

        return result;
    }

    /// <summary>
    /// Hands leadership to <paramref name="target"/>: the leader stops accepting proposals, brings the target up to
    /// date and tells it to campaign at once. Abandoned after an election timeout.
    /// </summary>
    /// <returns>False when this replica is not the leader or the target is not another voter.</returns>
    public bool TransferLeadership(ulong target)
    {
        EnsureNoReadyOutstanding();
        if (Role != RaftRole.Leader || target == Id || !Configuration.IsVoter(target) || !_progress.TryGetValue(target, out Progress? pr))
        {
            return false;
        }

        if (_leadTransferee == target)
        {
            return true;
        }

        _leadTransferee = target;
        _transferElapsed = 0;
        if (pr.Match == _log.LastIndex)
        {
            SendTimeoutNow(target);
        }
        else
        {
            SendAppend(target, pr, sendIfEmpty: true);
        }

        return true;
    }

    /// <summary>
    /// Asks for a linearizable read point. When accepted, a <see cref="ReadState"/> with <paramref name="context"/>
    /// appears in a later <see cref="Ready"/> (unless leadership changes first: then retry).
    /// </summary>
    public ReadRequestStatus RequestRead(ulong context)
    {
        EnsureNoReadyOutstanding();
        if (Role == RaftRole.Leader)
        {
            return LeaderRead(context, Id);
        }

        if (LeaderId == 0)
        {
            return ReadRequestStatus.NoLeader;
        }

        Send(new RaftMessage { Type = RaftMessageType.ReadIndex, From = Id, To = LeaderId, Term = Term, Context = context });
        return ReadRequestStatus.Accepted;
    }

    /// <summary>True when there is something to persist, send or apply.</summary>
    public bool HasReady =>
        Role != _readyRole || LeaderId != _readyLeader || CurrentHardState != _persistedHardState
        || _log.UnstableCount > 0 || _log.UnstableSnapshot is not null || _messages.Count > 0 || _readStates.Count > 0
        || _log.HasNextCommitted;

    private HardState CurrentHardState => new(Term, VotedFor, _log.Committed);

    /// <summary>Takes what must be done now; see <see cref="Ready"/> for the contract.</summary>
    public Ready GetReady()
    {
        EnsureNoReadyOutstanding();
        HardState current = CurrentHardState;
        HardState? hardState = current != _persistedHardState ? current : null;
        var entries = new List<LogEntry>();
        _log.CopyUnstable(entries);
        var committed = new List<LogEntry>();
        _log.NextCommitted(_options.CommittedSizeBytesMaxPerReady, committed);
        bool mustSync = entries.Count > 0 || _log.UnstableSnapshot is not null || current.Term != _persistedHardState.Term
            || current.Vote != _persistedHardState.Vote;
        var ready = new Ready(Role, LeaderId, hardState, _log.UnstableSnapshot, [.. entries], [.. committed],
            [.. _messages], [.. _readStates], mustSync);
        _messages.Clear();
        _readStates.Clear();
        _readyOutstanding = true;
        return ready;
    }

    /// <summary>Confirms that <paramref name="ready"/> was carried out: its state is durable and its entries applied.</summary>
    public void Advance(Ready ready)
    {
        ArgumentNullException.ThrowIfNull(ready);
        if (!_readyOutstanding)
        {
            throw new InvalidOperationException("Advance without a Ready outstanding");
        }

        _readyOutstanding = false;
        if (ready.HardState is { } hardState)
        {
            _persistedHardState = hardState;
        }

        if (ready.Snapshot is { } snapshot)
        {
            _log.StableSnapshotTo(snapshot.Index);
            _log.Applied = Math.Max(_log.Applied, snapshot.Index);
        }

        if (ready.Entries.Count > 0)
        {
            LogEntry last = ready.Entries[^1];
            _log.StableTo(last.Index, last.Term);
        }

        if (ready.CommittedEntries.Count > 0)
        {
            _log.Applied = Math.Max(_log.Applied, ready.CommittedEntries[^1].Index);
        }

        while (_configurationHistory.Count > 0 && _configurationHistory[0].Key <= _log.Applied)
        {
            AppliedConfiguration = _configurationHistory[0].Value;
            _configurationHistory.RemoveAt(0);
        }

        _readyRole = ready.Role;
        _readyLeader = ready.LeaderId;
    }

    /// <summary>On start, one pass over the entries after the snapshot finds the configuration changes among them.</summary>
    private void FindConfigurationEntries()
    {
        var batch = new List<LogEntry>();
        ulong next = _log.FirstIndex;
        while (next <= _log.LastIndex)
        {
            batch.Clear();
            _log.Slice(next, _log.LastIndex + 1, _options.MessageSizeBytesMax, batch);
            foreach (LogEntry entry in batch)
            {
                if (entry.Kind == LogEntryKind.ConfigChange)
                {
                    _configEntryIndexes.Add(entry.Index);
                }
            }

            next = batch[^1].Index + 1;
        }
    }

    private void RecordConfiguration(ulong index, RaftConfiguration configuration)
    {
        Configuration = configuration;
        if (index <= _log.Applied)
        {
            AppliedConfiguration = configuration;
        }
        else
        {
            _configurationHistory.Add(new KeyValuePair<ulong, RaftConfiguration>(index, configuration));
        }
    }

    /// <summary>The leader's view of <paramref name="replicaId"/>'s log (match index), for diagnostics and tests; null if untracked.</summary>
    public ulong? MatchIndexOf(ulong replicaId) =>
        Role == RaftRole.Leader && _progress.TryGetValue(replicaId, out Progress? pr) ? pr.Match : null;

    internal string ProgressSummary(ulong replicaId) =>
        _progress.TryGetValue(replicaId, out Progress? pr) ? pr.ToString() : "untracked";

    private void EnsureNoReadyOutstanding()
    {
        if (_readyOutstanding)
        {
            throw new InvalidOperationException("a Ready is outstanding: call Advance before driving the node again");
        }
    }

    private void Send(RaftMessage message) => _messages.Add(message);

    private ProposalResult ProposeEntry(LogEntryKind kind, ReadOnlyMemory<byte> data)
    {
        ProposalResult result = TryAppendProposal(kind, data);
        if (result.IsAccepted)
        {
            BroadcastAppend();
        }

        return result;
    }

    /// <summary>Appends one proposal to the leader's log without sending it; the caller broadcasts.</summary>
    private ProposalResult TryAppendProposal(LogEntryKind kind, ReadOnlyMemory<byte> data)
    {
        if (Role != RaftRole.Leader)
        {
            return new ProposalResult(ProposalStatus.NotLeader, 0, 0, LeaderId);
        }

        if (_leadTransferee != 0)
        {
            return new ProposalResult(ProposalStatus.TransferInProgress, 0, 0, _leadTransferee);
        }

        if (_log.LastIndex - _log.Committed >= (ulong)_options.UncommittedEntriesMax)
        {
            return new ProposalResult(ProposalStatus.Busy, 0, 0, Id);
        }

        ulong index = AppendEntry(kind, data);
        return new ProposalResult(ProposalStatus.Accepted, index, Term, Id);
    }

    private sealed class PendingRead(ulong sequence, ulong context, ulong requester, ulong index)
    {
        public ulong Sequence { get; } = sequence;

        public ulong Context { get; } = context;

        public ulong Requester { get; } = requester;

        public ulong Index { get; } = index;

        public Dictionary<ulong, bool> Acks { get; } = [];
    }

    private sealed class SnapshotAssembly(SnapshotChunk first, ulong leader)
    {
        public ulong Index { get; } = first.SnapshotIndex;

        public ulong Term { get; } = first.SnapshotTerm;

        public ulong Checksum { get; } = first.Checksum;

        public ulong Leader { get; } = leader;

        public RaftConfiguration Configuration { get; } = first.Configuration;

        public byte[] Buffer { get; } = new byte[first.TotalSizeBytes];

        public long ReceivedBytes { get; set; }

        public bool Matches(SnapshotChunk chunk, ulong from) =>
            chunk.SnapshotIndex == Index && chunk.SnapshotTerm == Term && chunk.Checksum == Checksum
            && chunk.TotalSizeBytes == Buffer.Length && from == Leader;
    }
}
