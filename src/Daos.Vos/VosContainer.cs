using System.Runtime.CompilerServices;
using Daos.Vos.Store;

namespace Daos.Vos;

/// <summary>
/// A container of a <see cref="VosPool"/>: objects of dkeys of akeys, each akey holding either versioned single
/// values or a versioned array of fixed-size records. A read at epoch E sees, record by record, the newest write at
/// or below E not covered by a punch at or below E (of the akey, its dkey or its object).
/// </summary>
/// <remarks>Not thread-safe; callers serialize access to the pool (see <see cref="VosPool"/>).</remarks>
public sealed class VosContainer
{
    private readonly VosPool _pool;
    private readonly ContainerStore _store;

    internal VosContainer(VosPool pool, ContainerStore store)
    {
        _pool = pool;
        _store = store;
    }

    /// <summary>The container's id.</summary>
    public Guid Id => _store.Id;

    internal long RecordCount => _store.RecordCount;

    internal long MergedRecordCount => _store.MergedRecordCount;

    internal int CachedObjectCount => _store.CachedObjectCount;

    internal long ObjectsLoaded => _store.ObjectsLoaded;

    internal long RecordsLoaded => _store.RecordsLoaded;

    internal long DkeysLoaded => _store.DkeysLoaded;

    internal long TreeNodesRead => _store.TreeNodesRead;

    /// <summary>Checks every tree of the container on the heap against its records and the cache (tests and tools).</summary>
    internal TreeReport VerifyTrees()
    {
        _pool.Enter();
        try
        {
            return _store.VerifyTrees();
        }
        finally
        {
            _pool.Exit();
        }
    }

    /// <summary>
    /// Writes a single value at <paramref name="epoch"/> (replacing a write of the same akey at the same epoch).
    /// Values of at least the pool's inline threshold go to the blob store. <paramref name="condition"/> takes the
    /// insert and update conditions of the dkey and akey.
    /// </summary>
    public ValueTask UpdateAsync(ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey,
        ReadOnlyMemory<byte> value, VosCondition condition = VosCondition.None) =>
        Run(() => _store.UpdateAsync(oid, epoch, dkey, akey, value, condition));

    /// <summary>
    /// Prepares a single-value update for <paramref name="transaction"/>: written and durable, but invisible to
    /// every read until <see cref="CommitTransactionAsync"/> (conditions are checked against committed state).
    /// </summary>
    public ValueTask UpdateAsync(VosTransactionId transaction, ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey,
        ReadOnlyMemory<byte> akey, ReadOnlyMemory<byte> value, VosCondition condition = VosCondition.None) =>
        Run(() => _store.UpdateAsync(oid, epoch, dkey, akey, value, condition, RequireTransaction(transaction)));

    /// <summary>
    /// Writes <paramref name="records"/> (a whole number of <paramref name="recordSize"/>-byte records) starting at
    /// record <paramref name="index"/>. <paramref name="condition"/> takes the insert and update conditions.
    /// </summary>
    public ValueTask WriteAsync(ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey,
        long index, int recordSize, ReadOnlyMemory<byte> records, VosCondition condition = VosCondition.None) =>
        Run(() => _store.WriteAsync(oid, epoch, dkey, akey, index, recordSize, records, condition: condition));

    /// <summary>Prepares an array write for <paramref name="transaction"/> (invisible until committed).</summary>
    public ValueTask WriteAsync(VosTransactionId transaction, ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey,
        ReadOnlyMemory<byte> akey, long index, int recordSize, ReadOnlyMemory<byte> records, VosCondition condition = VosCondition.None) =>
        Run(() => _store.WriteAsync(oid, epoch, dkey, akey, index, recordSize, records,
            transactionId: RequireTransaction(transaction), condition: condition));

    /// <summary>
    /// The single value a read at <paramref name="epoch"/> sees, or null when there is none. With
    /// <see cref="VosCondition.DkeyFetch"/> or <see cref="VosCondition.AkeyFetch"/> a key that does not exist at the
    /// epoch fails with <see cref="DaosError.NonExistent"/> instead.
    /// </summary>
    public async ValueTask<byte[]?> FetchAsync(ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey,
        VosCondition condition = VosCondition.None)
    {
        Enter();
        try
        {
            return await _store.FetchAsync(oid, epoch, dkey, akey, condition).ConfigureAwait(false);
        }
        finally
        {
            _pool.Exit();
        }
    }

    /// <summary>
    /// Reads records from <paramref name="index"/> into <paramref name="destination"/> as of <paramref name="epoch"/>;
    /// hole bytes are left untouched and listed in the result. <paramref name="condition"/> takes the fetch conditions.
    /// </summary>
    public async ValueTask<ArrayReadResult> ReadAsync(ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey,
        ReadOnlyMemory<byte> akey, long index, int recordSize, Memory<byte> destination, VosCondition condition = VosCondition.None)
    {
        Enter();
        try
        {
            return await _store.ReadAsync(oid, epoch, dkey, akey, index, recordSize, destination, condition).ConfigureAwait(false);
        }
        finally
        {
            _pool.Exit();
        }
    }

    /// <summary>
    /// Punches the object at <paramref name="epoch"/>: everything in it written at or below the epoch is hidden.
    /// With <see cref="VosCondition.Punch"/>, an object that does not exist at the epoch fails with NonExistent.
    /// </summary>
    public ValueTask PunchObjectAsync(ObjectId oid, Epoch epoch, VosCondition condition = VosCondition.None) =>
        Run(() => _store.PunchAsync(RecordKind.ObjectPunch, oid, epoch, default, default, 0, condition));

    /// <summary>Prepares an object punch for <paramref name="transaction"/> (invisible until committed).</summary>
    public ValueTask PunchObjectAsync(VosTransactionId transaction, ObjectId oid, Epoch epoch, VosCondition condition = VosCondition.None) =>
        Run(() => _store.PunchAsync(RecordKind.ObjectPunch, oid, epoch, default, default, RequireTransaction(transaction), condition));

    /// <summary>Punches one dkey at <paramref name="epoch"/> (with <see cref="VosCondition.Punch"/>: only if it exists).</summary>
    public ValueTask PunchDkeyAsync(ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey, VosCondition condition = VosCondition.None) =>
        Run(() => _store.PunchAsync(RecordKind.DkeyPunch, oid, epoch, dkey, default, 0, condition));

    /// <summary>Prepares a dkey punch for <paramref name="transaction"/> (invisible until committed).</summary>
    public ValueTask PunchDkeyAsync(VosTransactionId transaction, ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey,
        VosCondition condition = VosCondition.None) =>
        Run(() => _store.PunchAsync(RecordKind.DkeyPunch, oid, epoch, dkey, default, RequireTransaction(transaction), condition));

    /// <summary>Punches one akey at <paramref name="epoch"/> (with <see cref="VosCondition.Punch"/>: only if it exists).</summary>
    public ValueTask PunchAkeyAsync(ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey,
        VosCondition condition = VosCondition.None) =>
        Run(() => _store.PunchAsync(RecordKind.AkeyPunch, oid, epoch, dkey, akey, 0, condition));

    /// <summary>Prepares an akey punch for <paramref name="transaction"/> (invisible until committed).</summary>
    public ValueTask PunchAkeyAsync(VosTransactionId transaction, ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey,
        ReadOnlyMemory<byte> akey, VosCondition condition = VosCondition.None) =>
        Run(() => _store.PunchAsync(RecordKind.AkeyPunch, oid, epoch, dkey, akey, RequireTransaction(transaction), condition));

    /// <summary>Punches array records (DAOS: an update of size 0): they read as holes from <paramref name="epoch"/> on.</summary>
    public ValueTask PunchExtentsAsync(ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey, Extent records) =>
        Run(() => _store.WriteAsync(oid, epoch, dkey, akey, records.Index, 0, default, hole: true, holeCount: records.Count));

    /// <summary>Prepares a punch of array records for <paramref name="transaction"/> (invisible until committed).</summary>
    public ValueTask PunchExtentsAsync(VosTransactionId transaction, ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey,
        ReadOnlyMemory<byte> akey, Extent records) =>
        Run(() => _store.WriteAsync(oid, epoch, dkey, akey, records.Index, 0, default, hole: true, holeCount: records.Count,
            transactionId: RequireTransaction(transaction)));

    /// <summary>The objects that exist at <paramref name="epoch"/>, in object id order.</summary>
    public IAsyncEnumerable<ObjectId> ListObjectsAsync(Epoch epoch) => Yield(() => _store.ListObjects(epoch));

    /// <summary>
    /// One page of at most <paramref name="pageSize"/> objects that exist at <paramref name="epoch"/>, in object id
    /// order, starting after <paramref name="anchor"/> (<see cref="VosAnchor.Start"/> for the first page).
    /// </summary>
    public ValueTask<VosPage<ObjectId>> ListObjectsAsync(Epoch epoch, VosAnchor anchor, int pageSize) =>
        ListPage(anchor, AnchorLevel.Objects, pageSize,
            (key, limit) => _store.ListObjects(epoch, key.IsEmpty ? null : AnchorKeys.ReadObjectId(key), limit),
            AnchorKeys.Of);

    /// <summary>The dkeys of <paramref name="oid"/> that exist at <paramref name="epoch"/>, in the object type's key order.</summary>
    public IAsyncEnumerable<byte[]> ListDkeysAsync(ObjectId oid, Epoch epoch) => Yield(() => _store.ListDkeys(oid, epoch));

    /// <summary>One page of the dkeys of <paramref name="oid"/> at <paramref name="epoch"/>, after <paramref name="anchor"/>.</summary>
    public ValueTask<VosPage<byte[]>> ListDkeysAsync(ObjectId oid, Epoch epoch, VosAnchor anchor, int pageSize) =>
        ListPage(anchor, AnchorLevel.Dkeys, pageSize,
            (key, limit) => _store.ListDkeys(oid, epoch, key.IsEmpty ? null : key.ToArray(), limit),
            static key => key);

    /// <summary>The akeys of one dkey that exist at <paramref name="epoch"/>, in the object type's key order.</summary>
    public IAsyncEnumerable<byte[]> ListAkeysAsync(ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey) =>
        Yield(() => _store.ListAkeys(oid, epoch, dkey.Span));

    /// <summary>One page of the akeys of one dkey at <paramref name="epoch"/>, after <paramref name="anchor"/>.</summary>
    public ValueTask<VosPage<byte[]>> ListAkeysAsync(ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey, VosAnchor anchor, int pageSize) =>
        ListPage(anchor, AnchorLevel.Akeys, pageSize,
            (key, limit) => _store.ListAkeys(oid, epoch, dkey.Span, key.IsEmpty ? null : key.ToArray(), limit),
            static key => key);

    /// <summary>The visible extents of an array akey at <paramref name="epoch"/>, in index order, adjacent ones merged.</summary>
    public IAsyncEnumerable<Extent> ListExtentsAsync(ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey) =>
        Yield(() => _store.ListExtents(oid, epoch, dkey.Span, akey.Span));

    /// <summary>
    /// One page of the visible extents of an array akey at <paramref name="epoch"/>, adjacent ones merged, from the
    /// record after the last extent of the previous page (records written there since are listed, cut at that record).
    /// </summary>
    public ValueTask<VosPage<Extent>> ListExtentsAsync(ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey,
        VosAnchor anchor, int pageSize) =>
        ListPage(anchor, AnchorLevel.Extents, pageSize,
            (key, limit) => _store.ListExtents(oid, epoch, dkey.Span, akey.Span, key.IsEmpty ? 0 : AnchorKeys.ReadIndex(key), limit),
            static extent => AnchorKeys.Of(extent.End));

    /// <summary>The highest record index visible at <paramref name="epoch"/>, or null when no record is.</summary>
    public ValueTask<long?> QueryMaxIndexAsync(ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey)
    {
        Enter();
        try
        {
            return ValueTask.FromResult(_store.QueryMaxIndex(oid, epoch, dkey.Span, akey.Span));
        }
        finally
        {
            _pool.Exit();
        }
    }

    /// <summary>
    /// Merges history no read at or above <paramref name="upTo"/> can see: older single-value versions, covered
    /// array entries, punched subtrees; the visible parts of several old array writes are rewritten as one.
    /// Reads at or above <paramref name="upTo"/> are unchanged; reads below it, and discards of epochs at or below
    /// it, are no longer defined.
    /// </summary>
    public ValueTask AggregateAsync(Epoch upTo) => Run(async () => await _store.AggregateAsync(upTo).ConfigureAwait(false));

    /// <summary>Removes every write and punch with <paramref name="from"/> &lt;= epoch &lt;= <paramref name="to"/>.</summary>
    public ValueTask DiscardAsync(Epoch from, Epoch to)
    {
        if (from > to)
        {
            throw new DaosException(DaosError.InvalidArgument, $"discard range [{from}, {to}] is empty");
        }

        return Run(async () => await _store.DiscardAsync(from, to).ConfigureAwait(false));
    }

    /// <summary>
    /// Commits <paramref name="transaction"/>: in one heap transaction every record it prepared in this container
    /// becomes committed, and from then on visible at its epoch. NonExistent when it has nothing prepared here.
    /// </summary>
    public ValueTask CommitTransactionAsync(VosTransactionId transaction) =>
        Run(() => _store.CommitTransactionAsync(RequireTransaction(transaction)));

    /// <summary>
    /// Aborts <paramref name="transaction"/>: every record it prepared in this container is freed, with its space,
    /// in one heap transaction. NonExistent when it has nothing prepared here.
    /// </summary>
    public ValueTask AbortTransactionAsync(VosTransactionId transaction) =>
        Run(() => _store.AbortTransactionAsync(RequireTransaction(transaction)));

    /// <summary>
    /// The transactions with prepared records in this container, by id: after a restart, the in-doubt ones to
    /// resolve with <see cref="CommitTransactionAsync"/> or <see cref="AbortTransactionAsync"/>.
    /// </summary>
    public IReadOnlyList<VosPreparedTransaction> ListPreparedTransactions()
    {
        Enter();
        try
        {
            return _store.ListPreparedTransactions();
        }
        finally
        {
            _pool.Exit();
        }
    }

    internal int PreparedTransactionCount => _store.PreparedTransactionCount;

    private static uint RequireTransaction(VosTransactionId transaction) => transaction.IsValid ? transaction.Value
        : throw new DaosException(DaosError.InvalidArgument, "transaction id 0 is reserved for committed records");

    private ValueTask<VosPage<T>> ListPage<T>(VosAnchor anchor, AnchorLevel level, int pageSize,
        Func<ReadOnlyMemory<byte>, int, List<T>> list, Func<T, byte[]> keyOf)
    {
        ArgumentNullException.ThrowIfNull(anchor);
        anchor.Require(level);
        if (pageSize <= 0)
        {
            throw new DaosException(DaosError.InvalidArgument, $"page size {pageSize} is not positive");
        }

        Enter();
        try
        {
            if (anchor.IsEnd)
            {
                return ValueTask.FromResult(new VosPage<T>([], anchor));
            }

            // One item more than the page shows whether anything follows it.
            List<T> items = list(anchor.IsStart ? default : anchor.Key.ToArray(), pageSize == int.MaxValue ? pageSize : pageSize + 1);
            if (items.Count <= pageSize)
            {
                return ValueTask.FromResult(new VosPage<T>(items, VosAnchor.End(level)));
            }

            items.RemoveAt(items.Count - 1);
            return ValueTask.FromResult(new VosPage<T>(items, VosAnchor.After(level, keyOf(items[^1]))));
        }
        finally
        {
            _pool.Exit();
        }
    }

    private async ValueTask Run(Func<ValueTask> operation)
    {
        Enter();
        try
        {
            await operation().ConfigureAwait(false);
            // With a commit scheduler the commits above only appended their records: the public API returns durable.
            await _pool.Heap.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            _pool.Exit();
        }
    }

    // ---------------------------------------------------------------- group commit (the engine's object handlers)

    /// <summary>
    /// <see cref="UpdateAsync(ObjectId, Epoch, ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, VosCondition)"/>
    /// without waiting for durability: returns once the change is applied (visible to the next operation and its
    /// WAL record appended), with the sequence to pass to <see cref="VosPool.WaitDurableAsync"/>. The caller must not
    /// acknowledge the change, nor return anything read from it, before that completes.
    /// </summary>
    internal ValueTask<ulong> ApplyUpdateAsync(ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey,
        ReadOnlyMemory<byte> value) =>
        Apply(() => _store.UpdateAsync(oid, epoch, dkey, akey, value, VosCondition.None));

    /// <summary>The array write of <see cref="WriteAsync(ObjectId, Epoch, ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, long, int, ReadOnlyMemory{byte}, VosCondition)"/>, applied without waiting for durability (see <see cref="ApplyUpdateAsync"/>).</summary>
    internal ValueTask<ulong> ApplyWriteAsync(ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey,
        long index, int recordSize, ReadOnlyMemory<byte> records) =>
        Apply(() => _store.WriteAsync(oid, epoch, dkey, akey, index, recordSize, records));

    /// <summary>An object, dkey or akey punch applied without waiting for durability (see <see cref="ApplyUpdateAsync"/>).</summary>
    internal ValueTask<ulong> ApplyPunchAsync(RecordKind kind, ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey) =>
        Apply(() => _store.PunchAsync(kind, oid, epoch, dkey, akey));

    /// <summary>A punch of array records applied without waiting for durability (see <see cref="ApplyUpdateAsync"/>).</summary>
    internal ValueTask<ulong> ApplyPunchExtentsAsync(ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey, Extent records) =>
        Apply(() => _store.WriteAsync(oid, epoch, dkey, akey, records.Index, 0, default, hole: true, holeCount: records.Count));

    private async ValueTask<ulong> Apply(Func<ValueTask> operation)
    {
        Enter();
        try
        {
            await operation().ConfigureAwait(false);
            return _pool.LastCommitSequence;
        }
        finally
        {
            _pool.Exit();
        }
    }

    private async IAsyncEnumerable<T> Yield<T>(Func<List<T>> list, [EnumeratorCancellation] CancellationToken ct = default)
    {
        List<T> items;
        Enter();
        try
        {
            items = list();
        }
        finally
        {
            _pool.Exit();
        }

        foreach (T item in items)
        {
            ct.ThrowIfCancellationRequested();
            yield return item;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    private void Enter()
    {
        _pool.Enter();
        if (_store.Destroyed)
        {
            _pool.Exit();
            throw new DaosException(DaosError.NonExistent, $"container {_store.Id} has been destroyed");
        }
    }
}
