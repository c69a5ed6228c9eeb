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

    /// <summary>
    /// Writes a single value at <paramref name="epoch"/> (replacing a write of the same akey at the same epoch).
    /// Values of at least the pool's inline threshold go to the blob store.
    /// </summary>
    public async ValueTask UpdateAsync(ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey,
        ReadOnlyMemory<byte> value, VosCondition condition = VosCondition.None)
    {
        Enter();
        try
        {
            await _store.UpdateAsync(oid, epoch, dkey, akey, value, condition).ConfigureAwait(false);
        }
        finally
        {
            _pool.Exit();
        }
    }

    /// <summary>Writes <paramref name="records"/> (a whole number of <paramref name="recordSize"/>-byte records) starting at record <paramref name="index"/>.</summary>
    public async ValueTask WriteAsync(ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey,
        long index, int recordSize, ReadOnlyMemory<byte> records)
    {
        Enter();
        try
        {
            await _store.WriteAsync(oid, epoch, dkey, akey, index, recordSize, records).ConfigureAwait(false);
        }
        finally
        {
            _pool.Exit();
        }
    }

    /// <summary>The single value a read at <paramref name="epoch"/> sees, or null when there is none.</summary>
    public async ValueTask<byte[]?> FetchAsync(ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey)
    {
        Enter();
        try
        {
            return await _store.FetchAsync(oid, epoch, dkey, akey).ConfigureAwait(false);
        }
        finally
        {
            _pool.Exit();
        }
    }

    /// <summary>
    /// Reads records from <paramref name="index"/> into <paramref name="destination"/> as of <paramref name="epoch"/>;
    /// hole bytes are left untouched and listed in the result.
    /// </summary>
    public async ValueTask<ArrayReadResult> ReadAsync(ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey,
        ReadOnlyMemory<byte> akey, long index, int recordSize, Memory<byte> destination)
    {
        Enter();
        try
        {
            return await _store.ReadAsync(oid, epoch, dkey, akey, index, recordSize, destination).ConfigureAwait(false);
        }
        finally
        {
            _pool.Exit();
        }
    }

    /// <summary>Punches the object at <paramref name="epoch"/>: everything in it written at or below the epoch is hidden.</summary>
    public ValueTask PunchObjectAsync(ObjectId oid, Epoch epoch) => PunchAsync(RecordKind.ObjectPunch, oid, epoch, default, default);

    /// <summary>Punches one dkey at <paramref name="epoch"/>.</summary>
    public ValueTask PunchDkeyAsync(ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey) =>
        PunchAsync(RecordKind.DkeyPunch, oid, epoch, dkey, default);

    /// <summary>Punches one akey at <paramref name="epoch"/>.</summary>
    public ValueTask PunchAkeyAsync(ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey) =>
        PunchAsync(RecordKind.AkeyPunch, oid, epoch, dkey, akey);

    /// <summary>Punches array records (DAOS: an update of size 0): they read as holes from <paramref name="epoch"/> on.</summary>
    public async ValueTask PunchExtentsAsync(ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey, Extent records)
    {
        Enter();
        try
        {
            await _store.WriteAsync(oid, epoch, dkey, akey, records.Index, 0, default, hole: true, holeCount: records.Count).ConfigureAwait(false);
        }
        finally
        {
            _pool.Exit();
        }
    }

    /// <summary>The objects that exist at <paramref name="epoch"/>, in object id order.</summary>
    public IAsyncEnumerable<ObjectId> ListObjectsAsync(Epoch epoch) => Yield(() => _store.ListObjects(epoch));

    /// <summary>The dkeys of <paramref name="oid"/> that exist at <paramref name="epoch"/>, in the object type's key order.</summary>
    public IAsyncEnumerable<byte[]> ListDkeysAsync(ObjectId oid, Epoch epoch) => Yield(() => _store.ListDkeys(oid, epoch));

    /// <summary>The akeys of one dkey that exist at <paramref name="epoch"/>, in the object type's key order.</summary>
    public IAsyncEnumerable<byte[]> ListAkeysAsync(ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey) =>
        Yield(() => _store.ListAkeys(oid, epoch, dkey.Span));

    /// <summary>The visible extents of an array akey at <paramref name="epoch"/>, in index order, adjacent ones merged.</summary>
    public IAsyncEnumerable<Extent> ListExtentsAsync(ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey) =>
        Yield(() => _store.ListExtents(oid, epoch, dkey.Span, akey.Span));

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
    /// array entries, punched subtrees. Reads at or above <paramref name="upTo"/> are unchanged; reads below it may not be.
    /// </summary>
    public async ValueTask AggregateAsync(Epoch upTo)
    {
        Enter();
        try
        {
            await _store.AggregateAsync(upTo).ConfigureAwait(false);
        }
        finally
        {
            _pool.Exit();
        }
    }

    /// <summary>Removes every write and punch with <paramref name="from"/> &lt;= epoch &lt;= <paramref name="to"/>.</summary>
    public async ValueTask DiscardAsync(Epoch from, Epoch to)
    {
        if (from > to)
        {
            throw new DaosException(DaosError.InvalidArgument, $"discard range [{from}, {to}] is empty");
        }

        Enter();
        try
        {
            await _store.DiscardAsync(from, to).ConfigureAwait(false);
        }
        finally
        {
            _pool.Exit();
        }
    }

    /// <summary>Prepares a single-value update for transaction <paramref name="transactionId"/> (invisible until committed).</summary>
    internal ValueTask PrepareUpdateAsync(uint transactionId, ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey,
        ReadOnlyMemory<byte> akey, ReadOnlyMemory<byte> value) =>
        Run(() => _store.UpdateAsync(oid, epoch, dkey, akey, value, VosCondition.None, RequireTransaction(transactionId)));

    /// <summary>Prepares an array write for transaction <paramref name="transactionId"/>.</summary>
    internal ValueTask PrepareWriteAsync(uint transactionId, ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey,
        ReadOnlyMemory<byte> akey, long index, int recordSize, ReadOnlyMemory<byte> records) =>
        Run(() => _store.WriteAsync(oid, epoch, dkey, akey, index, recordSize, records, transactionId: RequireTransaction(transactionId)));

    /// <summary>Prepares an akey punch for transaction <paramref name="transactionId"/>.</summary>
    internal ValueTask PreparePunchAkeyAsync(uint transactionId, ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey) =>
        Run(() => _store.PunchAsync(RecordKind.AkeyPunch, oid, epoch, dkey, akey, RequireTransaction(transactionId)));

    /// <summary>Makes every record prepared by <paramref name="transactionId"/> visible at its epoch.</summary>
    internal ValueTask CommitTransactionAsync(uint transactionId) => Run(() => _store.CommitTransactionAsync(transactionId));

    /// <summary>Discards every record prepared by <paramref name="transactionId"/>.</summary>
    internal ValueTask AbortTransactionAsync(uint transactionId) => Run(() => _store.AbortTransactionAsync(transactionId));

    internal int PreparedTransactionCount => _store.PreparedTransactionCount;

    private static uint RequireTransaction(uint transactionId) => transactionId != 0 ? transactionId
        : throw new DaosException(DaosError.InvalidArgument, "transaction id 0 is reserved for committed records");

    private async ValueTask Run(Func<ValueTask> operation)
    {
        Enter();
        try
        {
            await operation().ConfigureAwait(false);
        }
        finally
        {
            _pool.Exit();
        }
    }

    private async ValueTask PunchAsync(RecordKind kind, ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey)
    {
        Enter();
        try
        {
            await _store.PunchAsync(kind, oid, epoch, dkey, akey).ConfigureAwait(false);
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
