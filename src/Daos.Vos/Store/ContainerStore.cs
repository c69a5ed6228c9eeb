using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Daos.Vos.Bio;
using Daos.Vos.Evtree;
using Daos.Vos.Umem;
using Daos.Vos.Versioning;

namespace Daos.Vos.Store;

/// <summary>
/// One container of a pool: its persistent object index and per-object record lists on the heap, and the volatile
/// states of recently used objects over them (dkeys, akeys, incarnation logs, value versions, extent entries). Every
/// change is one heap transaction that writes or frees records together with their index entries; the cached states
/// change only after that transaction commits, so a failed change leaves nothing behind.
/// </summary>
internal sealed partial class ContainerStore
{
    private const int SliceRecords = 256;

    private readonly UmemHeap _heap;
    private readonly BlobStore _blob;
    private readonly int _inlineThresholdBytes;
    private readonly Dictionary<ObjectId, ObjectState> _objects = [];
    private readonly LinkedList<ObjectId> _lru = new();
    private readonly int _objectCacheLimit;
    private readonly Dictionary<uint, List<long>> _prepared = [];
    private readonly ExtentVisibility _resolver = new();
    private readonly List<VisibleExtent> _visible = [];
    private readonly List<VisibleExtent> _covered = [];

    public ContainerStore(UmemHeap heap, BlobStore blob, long containerRecord, Guid id, int inlineThresholdBytes, int objectCacheLimit)
    {
        _objectCacheLimit = objectCacheLimit;
        _heap = heap;
        _blob = blob;
        ContainerRecord = containerRecord;
        Id = id;
        _inlineThresholdBytes = inlineThresholdBytes;
    }

    public Guid Id { get; }

    public long ContainerRecord { get; }

    /// <summary>Records in the container (prepared ones included), kept in the container record.</summary>
    public long RecordCount => _heap.Read<long>(ContainerRecord + RecordFormat.ContainerRecordCountAt);

    /// <summary>Merged array records aggregation has written since the container was opened.</summary>
    public long MergedRecordCount { get; private set; }

    /// <summary>Set when the container has been destroyed; handles to it fail from then on.</summary>
    public bool Destroyed { get; set; }

    private DaosException Corrupt(long at, string what) =>
        new(DaosError.Corrupted, $"container {Id}: record at heap offset {at}: {what}");

    // ---------------------------------------------------------------- updates

    public async ValueTask UpdateAsync(ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey,
        ReadOnlyMemory<byte> value, VosCondition condition, uint transactionId = 0)
    {
        TrimCache();
        CheckEpoch(epoch);
        CheckKeys(oid, dkey.Span, akey.Span);
        if (value.IsEmpty)
        {
            throw new DaosException(DaosError.InvalidArgument, "a single value must not be empty (punch the akey instead)");
        }

        AkeyState? existing = FindAkey(oid, dkey.Span, akey.Span);
        if (existing is not null && existing.Kind == AkeyValueKind.Array)
        {
            throw new DaosException(DaosError.InvalidArgument, "the akey holds array records, not a single value");
        }

        CheckConditions(condition, UpdateConditions, oid, dkey.Span, akey.Span, epoch);
        VersionStamp version = NextVersion(oid, epoch);
        BlobReservation? reservation = await WriteBlobAsync(value).ConfigureAwait(false);
        long record;
        var replaced = new List<Decoded>();
        UmemTransaction tx = _heap.Begin();
        try
        {
            if (reservation is not null)
            {
                _blob.Publish(tx, reservation);
            }

            record = Append(tx, RecordKind.SingleValue, reservation is null ? (byte)0 : RecordFormat.FlagInBlob, version, oid,
                dkey.Span, akey.Span, value.Length, 0, 0, 0, reservation?.StartBlock ?? 0,
                reservation is null ? value.Span : default, transactionId);
            if (existing is not null && transactionId == 0)
            {
                // An earlier write at the same epoch is replaced (an idempotent retry leaves one version).
                foreach (SingleVersion s in existing.Singles)
                {
                    if (s.Version.Epoch == epoch.Value)
                    {
                        replaced.Add(Decode(s.Record));
                        Unlink(tx, s.Record);
                    }
                }
            }
        }
        catch
        {
            tx.Abort();
            if (reservation is { State: BlobReservationState.Reserved })
            {
                _blob.Cancel(reservation);
            }

            ForgetVersion(oid, version);
            throw;
        }

        await tx.CommitAsync().ConfigureAwait(false);
        foreach (Decoded d in replaced)
        {
            Unindex(d);
        }

        IndexOrHold(record, transactionId);
    }

    public async ValueTask WriteAsync(ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey,
        long index, int recordSize, ReadOnlyMemory<byte> records, bool hole = false, long holeCount = 0, uint transactionId = 0,
        VosCondition condition = VosCondition.None)
    {
        TrimCache();
        CheckEpoch(epoch);
        CheckKeys(oid, dkey.Span, akey.Span);
        long count;
        if (hole)
        {
            count = holeCount;
            if (!new Extent(index, count).IsValid)
            {
                throw new DaosException(DaosError.InvalidArgument, $"records [{index}, +{count}) are not a valid extent");
            }
        }
        else
        {
            if (recordSize <= 0 || records.IsEmpty || records.Length % recordSize != 0)
            {
                throw new DaosException(DaosError.InvalidArgument,
                    $"{records.Length} bytes are not a positive whole number of {recordSize}-byte records");
            }

            count = records.Length / recordSize;
            if (index < 0 || index > long.MaxValue - count)
            {
                throw new DaosException(DaosError.InvalidArgument, $"records [{index}, +{count}) are not a valid extent");
            }
        }

        AkeyState? existing = FindAkey(oid, dkey.Span, akey.Span);
        if (existing is not null)
        {
            if (existing.Kind == AkeyValueKind.Single)
            {
                throw new DaosException(DaosError.InvalidArgument, "the akey holds a single value, not array records");
            }

            if (!hole && existing.RecordSize != 0 && existing.RecordSize != recordSize)
            {
                throw new DaosException(DaosError.InvalidArgument,
                    $"record size {recordSize} differs from the akey's record size {existing.RecordSize}");
            }
        }

        CheckConditions(condition, UpdateConditions, oid, dkey.Span, akey.Span, epoch);
        VersionStamp version = NextVersion(oid, epoch);
        BlobReservation? reservation = hole ? null : await WriteBlobAsync(records).ConfigureAwait(false);
        long record;
        UmemTransaction tx = _heap.Begin();
        try
        {
            if (reservation is not null)
            {
                _blob.Publish(tx, reservation);
            }

            byte flags = (byte)((reservation is null ? 0 : RecordFormat.FlagInBlob) | (hole ? RecordFormat.FlagHole : 0));
            record = Append(tx, RecordKind.ArrayExtent, flags, version, oid, dkey.Span, akey.Span, hole ? 0 : records.Length,
                index, count, hole ? 0 : recordSize, reservation?.StartBlock ?? 0,
                reservation is null && !hole ? records.Span : default, transactionId);
        }
        catch
        {
            tx.Abort();
            if (reservation is { State: BlobReservationState.Reserved })
            {
                _blob.Cancel(reservation);
            }

            ForgetVersion(oid, version);
            throw;
        }

        await tx.CommitAsync().ConfigureAwait(false);
        IndexOrHold(record, transactionId);
    }

    public async ValueTask PunchAsync(RecordKind kind, ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey,
        uint transactionId = 0, VosCondition condition = VosCondition.None)
    {
        TrimCache();
        CheckEpoch(epoch);
        bool uint64Dkeys = oid.Type.HasUInt64Dkeys();
        if (kind != RecordKind.ObjectPunch)
        {
            KeyOrder.Validate(dkey.Span, uint64Dkeys, "dkey");
        }

        if (kind == RecordKind.AkeyPunch)
        {
            KeyOrder.Validate(akey.Span, oid.Type.HasUInt64Akeys(), "akey");
        }

        if (condition != VosCondition.None)
        {
            RequireConditions(condition, VosCondition.Punch);
            VersionStamp bound = VersionStamp.ReadBound(epoch.Value);
            bool exists = kind switch
            {
                RecordKind.ObjectPunch => ObjectExists(oid, bound),
                RecordKind.DkeyPunch => DkeyExists(oid, dkey.Span, bound),
                _ => AkeyExists(oid, dkey.Span, akey.Span, bound),
            };
            if (!exists)
            {
                throw new DaosException(DaosError.NonExistent, $"nothing to punch at epoch {epoch} (conditional punch)");
            }
        }

        GetOrLoad(oid); // the punch is indexed into the object's full state after commit
        VersionStamp version = NextVersion(oid, epoch);
        long record;
        UmemTransaction tx = _heap.Begin();
        try
        {
            record = Append(tx, kind, 0, version, oid, kind == RecordKind.ObjectPunch ? default : dkey.Span,
                kind == RecordKind.AkeyPunch ? akey.Span : default, 0, 0, 0, 0, 0, default, transactionId);
        }
        catch
        {
            tx.Abort();
            ForgetVersion(oid, version);
            throw;
        }

        await tx.CommitAsync().ConfigureAwait(false);
        IndexOrHold(record, transactionId);
    }

    private async ValueTask<BlobReservation?> WriteBlobAsync(ReadOnlyMemory<byte> value)
    {
        if (value.Length < _inlineThresholdBytes)
        {
            return null;
        }

        long blocks = (value.Length + BlobFormat.BlockBytes - 1) / BlobFormat.BlockBytes;
        if (!_blob.TryReserve(blocks, out BlobReservation? reservation))
        {
            throw new DaosException(DaosError.NoSpace, $"the blob store has no {blocks} free contiguous blocks");
        }

        try
        {
            // Durable by the time the publishing transaction's record is (BlobStore.Publish).
            await _blob.StageAsync(reservation!, value).ConfigureAwait(false);
        }
        catch
        {
            _blob.Cancel(reservation!);
            throw;
        }

        return reservation;
    }

    // ---------------------------------------------------------------- reads

    public async ValueTask<byte[]?> FetchAsync(ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey,
        VosCondition condition = VosCondition.None)
    {
        TrimCache();
        CheckKeys(oid, dkey.Span, akey.Span);
        CheckConditions(condition, FetchConditions, oid, dkey.Span, akey.Span, epoch);
        VersionStamp bound = VersionStamp.ReadBound(epoch.Value);

        // One lookup per level, the punch bound from the states found, the value copied straight from the record.
        ObjectState o = GetOrLoad(oid);
        if (!o.Dkeys.TryGetValue(dkey.ToArray(), out DkeyState? d)
            || !d.Akeys.TryGetValue(akey.ToArray(), out AkeyState? state) || state.Singles.Count == 0)
        {
            return null;
        }

        VersionStamp punch = Max(Max(o.Log.NewestPunch(bound), d.Log.NewestPunch(bound)), state.Log.NewestPunch(bound));
        int i = state.Singles.BinarySearch(new SingleVersion(bound, 0));
        i = i >= 0 ? i : ~i - 1;
        if (i < 0 || state.Singles[i].Version <= punch)
        {
            return null;
        }

        long at = state.Singles[i].Record;
        byte[] value = GC.AllocateUninitializedArray<byte>(_heap.Read<int>(at + RecordFormat.ValueLengthAt));
        if ((_heap.Read<byte>(at + RecordFormat.FlagsAt) & RecordFormat.FlagInBlob) == 0)
        {
            long valueAt = at + RecordFormat.HeaderBytes + _heap.Read<ushort>(at + RecordFormat.DkeyLengthAt)
                + _heap.Read<ushort>(at + RecordFormat.AkeyLengthAt);
            _heap.Read(valueAt, value.Length).CopyTo(value);
            return value;
        }

        await ReadValueAsync(Decode(at), 0, value).ConfigureAwait(false);
        return value;
    }

    public async ValueTask<ArrayReadResult> ReadAsync(ObjectId oid, Epoch epoch, ReadOnlyMemory<byte> dkey,
        ReadOnlyMemory<byte> akey, long index, int recordSize, Memory<byte> destination, VosCondition condition = VosCondition.None)
    {
        TrimCache();
        CheckKeys(oid, dkey.Span, akey.Span);
        if (recordSize <= 0 || destination.IsEmpty || destination.Length % recordSize != 0)
        {
            throw new DaosException(DaosError.InvalidArgument,
                $"a destination of {destination.Length} bytes is not a positive whole number of {recordSize}-byte records");
        }

        long count = destination.Length / recordSize;
        if (index < 0 || index > long.MaxValue - count)
        {
            throw new DaosException(DaosError.InvalidArgument, $"records [{index}, +{count}) are not a valid extent");
        }

        CheckConditions(condition, FetchConditions, oid, dkey.Span, akey.Span, epoch);
        AkeyState? state = FindAkey(oid, dkey.Span, akey.Span);
        if (state is null || state.Extents.Count == 0)
        {
            return new ArrayReadResult(0, []);
        }

        if (state.RecordSize != 0 && state.RecordSize != recordSize)
        {
            throw new DaosException(DaosError.InvalidArgument,
                $"record size {recordSize} differs from the akey's record size {state.RecordSize}");
        }

        VersionStamp bound = VersionStamp.ReadBound(epoch.Value);
        VisibleExtent[] pieces = Resolve(oid, dkey.Span, akey.Span, state, index, index + count, bound);
        long lastEnd = index;
        foreach (VisibleExtent piece in pieces)
        {
            if (!piece.IsHole)
            {
                lastEnd = piece.End;
            }
        }

        var holes = new List<Extent>();
        long cursor = index;
        foreach (VisibleExtent piece in pieces)
        {
            if (piece.Index >= lastEnd)
            {
                break;
            }

            if (piece.IsHole)
            {
                continue;
            }

            if (piece.Index > cursor)
            {
                holes.Add(new Extent(cursor, piece.Index - cursor));
            }

            Decoded d = Decode(piece.Entry.Source);
            await ReadValueAsync(d, piece.OffsetInEntry * recordSize,
                destination.Slice((int)((piece.Index - index) * recordSize), (int)(piece.Count * recordSize))).ConfigureAwait(false);
            cursor = piece.End;
        }

        return new ArrayReadResult((int)((lastEnd - index) * recordSize), holes);
    }

    /// <summary>
    /// The visible extents at <paramref name="epoch"/> from record <paramref name="from"/> on (a visible run that
    /// starts before it is cut there), adjacent records merged, at most <paramref name="limit"/> of them.
    /// </summary>
    public List<Extent> ListExtents(ObjectId oid, Epoch epoch, ReadOnlySpan<byte> dkey, ReadOnlySpan<byte> akey,
        long from = 0, int limit = int.MaxValue)
    {
        TrimCache();
        CheckKeys(oid, dkey, akey);
        var result = new List<Extent>();
        AkeyState? state = FindAkey(oid, dkey, akey);
        if (state is null || state.Extents.Count == 0)
        {
            return result;
        }

        foreach (VisibleExtent piece in Resolve(oid, dkey, akey, state, from, long.MaxValue, VersionStamp.ReadBound(epoch.Value)))
        {
            if (piece.IsHole)
            {
                continue;
            }

            if (result.Count > 0 && result[^1].End == piece.Index)
            {
                result[^1] = new Extent(result[^1].Index, result[^1].Count + piece.Count);
            }
            else if (result.Count == limit)
            {
                break; // the last extent is complete: the next piece does not touch it
            }
            else
            {
                result.Add(new Extent(piece.Index, piece.Count));
            }
        }

        return result;
    }

    public long? QueryMaxIndex(ObjectId oid, Epoch epoch, ReadOnlySpan<byte> dkey, ReadOnlySpan<byte> akey)
    {
        List<Extent> extents = ListExtents(oid, epoch, dkey, akey);
        return extents.Count == 0 ? null : extents[^1].End - 1;
    }

    /// <summary>The objects that exist at <paramref name="epoch"/> in id order, after <paramref name="after"/> when given, at most <paramref name="limit"/>.</summary>
    public List<ObjectId> ListObjects(Epoch epoch, ObjectId? after = null, int limit = int.MaxValue)
    {
        TrimCache();
        VersionStamp bound = VersionStamp.ReadBound(epoch.Value);
        var result = new List<ObjectId>();
        foreach (ObjectId oid in IndexedObjects(after))
        {
            if (result.Count == limit)
            {
                break;
            }

            ObjectState o = GetOrLoad(oid);
            VersionStamp objectPunch = o.Log.NewestPunch(bound);
            foreach (DkeyState d in o.Dkeys.Values)
            {
                if (DkeyExists(d, bound, objectPunch))
                {
                    result.Add(oid);
                    break;
                }
            }
        }

        return result;
    }

    /// <summary>The dkeys that exist at <paramref name="epoch"/> in key order, after <paramref name="after"/> when given, at most <paramref name="limit"/>.</summary>
    public List<byte[]> ListDkeys(ObjectId oid, Epoch epoch, byte[]? after = null, int limit = int.MaxValue)
    {
        var result = new List<byte[]>();
        if (after is not null)
        {
            KeyOrder.Validate(after, oid.Type.HasUInt64Dkeys(), "anchor dkey");
        }

        TrimCache();
        ObjectState o = GetOrLoad(oid);
        VersionStamp bound = VersionStamp.ReadBound(epoch.Value);
        VersionStamp objectPunch = o.Log.NewestPunch(bound);
        foreach ((byte[] key, DkeyState d) in o.Dkeys)
        {
            if (result.Count == limit)
            {
                break;
            }

            if (after is not null && o.Dkeys.Comparer.Compare(key, after) <= 0)
            {
                continue;
            }

            if (DkeyExists(d, bound, objectPunch))
            {
                result.Add(key.AsSpan().ToArray());
            }
        }

        return result;
    }

    /// <summary>A dkey exists at a read when one of its akeys does (an emptied dkey does not list).</summary>
    private static bool DkeyExists(DkeyState d, VersionStamp bound, VersionStamp objectPunch)
    {
        VersionStamp punch = Max(objectPunch, d.Log.NewestPunch(bound));
        foreach (AkeyState a in d.Akeys.Values)
        {
            if (a.Log.Evaluate(bound, punch).Exists)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The akeys of a dkey that exist at <paramref name="epoch"/> in key order, after <paramref name="after"/> when given, at most <paramref name="limit"/>.</summary>
    public List<byte[]> ListAkeys(ObjectId oid, Epoch epoch, ReadOnlySpan<byte> dkey, byte[]? after = null, int limit = int.MaxValue)
    {
        KeyOrder.Validate(dkey, oid.Type.HasUInt64Dkeys(), "dkey");
        if (after is not null)
        {
            KeyOrder.Validate(after, oid.Type.HasUInt64Akeys(), "anchor akey");
        }

        var result = new List<byte[]>();
        TrimCache();
        ObjectState o = GetOrLoad(oid);
        if (!o.Dkeys.TryGetValue(dkey.ToArray(), out DkeyState? d))
        {
            return result;
        }

        VersionStamp bound = VersionStamp.ReadBound(epoch.Value);
        VersionStamp punch = Max(o.Log.NewestPunch(bound), d.Log.NewestPunch(bound));
        foreach ((byte[] key, AkeyState a) in d.Akeys)
        {
            if (result.Count == limit)
            {
                break;
            }

            if (after is not null && d.Akeys.Comparer.Compare(key, after) <= 0)
            {
                continue;
            }

            if (a.Log.Evaluate(bound, punch).Exists)
            {
                result.Add(key.AsSpan().ToArray());
            }
        }

        return result;
    }

    private VisibleExtent[] Resolve(ObjectId oid, ReadOnlySpan<byte> dkey, ReadOnlySpan<byte> akey, AkeyState state,
        long from, long to, VersionStamp bound)
    {
        _visible.Clear();
        _resolver.Resolve(state.Extents, from, to, bound, PunchBound(oid, dkey, akey, bound), _visible);
        return [.. _visible];
    }

    private async ValueTask ReadValueAsync(Decoded d, long offsetBytes, Memory<byte> destination)
    {
        if (!d.InBlob)
        {
            _heap.Read(d.DataAt + offsetBytes, destination.Length).CopyTo(destination.Span);
            return;
        }

        long firstBlock = d.BlobBlock + offsetBytes / BlobFormat.BlockBytes;
        int skip = (int)(offsetBytes % BlobFormat.BlockBytes);
        int span = skip + destination.Length;
        int readBytes = (span + BlobFormat.BlockBytes - 1) / BlobFormat.BlockBytes * BlobFormat.BlockBytes;
        if (skip == 0 && readBytes == destination.Length)
        {
            await _blob.ReadAsync(firstBlock, destination).ConfigureAwait(false);
            return;
        }

        byte[] scratch = ArrayPool<byte>.Shared.Rent(readBytes);
        try
        {
            await _blob.ReadAsync(firstBlock, scratch.AsMemory(0, readBytes)).ConfigureAwait(false);
            scratch.AsSpan(skip, destination.Length).CopyTo(destination.Span);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    // ---------------------------------------------------------------- aggregation, discard, destroy

    /// <summary>
    /// Drops what no read at or above <paramref name="upTo"/> can see: values and punches at or below the effective
    /// punch bound at <paramref name="upTo"/>, single-value versions older than the newest at or below it, and array
    /// entries at or below it that newer entries at or below it cover completely. Values go before the punches that
    /// hide them, in slices of bounded transactions, so a crash part way leaves reads above <paramref name="upTo"/>
    /// unchanged. Returns the number of records removed.
    /// </summary>
    public async ValueTask<long> AggregateAsync(Epoch upTo)
    {
        TrimCache();
        // As in DAOS, aggregation stays below the oldest prepared transaction: its records may still commit there.
        foreach (List<long> records in _prepared.Values)
        {
            foreach (long at in records)
            {
                ulong epoch = _heap.Read<ulong>(at + RecordFormat.EpochAt);
                if (epoch <= upTo.Value)
                {
                    upTo = new Epoch(epoch - 1);
                }
            }
        }

        VersionStamp bound = VersionStamp.ReadBound(upTo.Value);
        long merged = await MergeExtentsAsync(bound).ConfigureAwait(false);
        var values = new List<long>();
        var punches = new List<long>();
        foreach (ObjectId oid in IndexedObjects())
        {
            ObjectState o = GetOrLoad(oid);
            VersionStamp objectPunch = o.Log.NewestPunch(bound);
            foreach (DkeyState d in o.Dkeys.Values)
            {
                VersionStamp dkeyPunch = Max(objectPunch, d.Log.NewestPunch(bound));
                foreach (AkeyState a in d.Akeys.Values)
                {
                    VersionStamp punch = Max(dkeyPunch, a.Log.NewestPunch(bound));
                    CollectValues(a, bound, punch, values);
                    CollectPunches(a.Log, punch, punches);
                }

                CollectPunches(d.Log, dkeyPunch, punches);
            }

            CollectPunches(o.Log, objectPunch, punches);
        }

        values.AddRange(punches);
        await RemoveRecordsAsync(values).ConfigureAwait(false);
        return merged + values.Count;
    }

    private void CollectValues(AkeyState a, VersionStamp bound, VersionStamp punch, List<long> victims)
    {
        int newestBelow = -1;
        for (int i = 0; i < a.Singles.Count && a.Singles[i].Version <= bound; i++)
        {
            if (a.Singles[i].Version <= punch)
            {
                victims.Add(a.Singles[i].Record);
            }
            else
            {
                if (newestBelow >= 0)
                {
                    victims.Add(a.Singles[newestBelow].Record);
                }

                newestBelow = i;
            }
        }

        if (a.Extents.Count == 0)
        {
            return;
        }

        // Entries at or below the bound that a read at the bound sees nothing of can go (they are covered or punched).
        _visible.Clear();
        _resolver.Resolve(a.Extents, 0, long.MaxValue, bound, punch, _visible);
        var seen = new HashSet<long>();
        foreach (VisibleExtent v in _visible)
        {
            seen.Add(v.Entry.Source);
        }

        foreach (ExtentEntry e in a.Extents)
        {
            if (e.Version <= bound && !seen.Contains(e.Source))
            {
                victims.Add(e.Source);
            }
        }
    }

    private static void CollectPunches(Incarnations log, VersionStamp punch, List<long> victims)
    {
        for (int i = 0; i < log.PunchCount && log.PunchAt(i) <= punch; i++)
        {
            victims.Add(log.PunchRecordAt(i));
        }
    }

    /// <summary>Removes every value and punch with <paramref name="from"/> &lt;= epoch &lt;= <paramref name="to"/>.</summary>
    public async ValueTask<long> DiscardAsync(Epoch from, Epoch to)
    {
        TrimCache();
        var victims = new List<long>();
        foreach (ObjectId oid in IndexedObjects())
        {
            GetOrLoad(oid);
            long at = _heap.Read<long>(FindObjectNode(oid) + RecordFormat.ObjectNodeRecordsAt);
            while (at != 0)
            {
                ulong epoch = _heap.Read<ulong>(at + RecordFormat.EpochAt);
                if (epoch >= from.Value && epoch <= to.Value)
                {
                    victims.Add(at);
                }

                at = _heap.Read<long>(at + RecordFormat.NextAt);
            }
        }

        await RemoveRecordsAsync(victims).ConfigureAwait(false);
        return victims.Count;
    }

    private async ValueTask RemoveRecordsAsync(List<long> victims)
    {
        var batch = new List<Decoded>(SliceRecords);
        for (int start = 0; start < victims.Count; start += SliceRecords)
        {
            batch.Clear();
            int end = Math.Min(victims.Count, start + SliceRecords);
            UmemTransaction tx = _heap.Begin();
            try
            {
                for (int i = start; i < end; i++)
                {
                    batch.Add(Decode(victims[i]));
                    Unlink(tx, victims[i]);
                }
            }
            catch
            {
                tx.Abort();
                throw;
            }

            await tx.CommitAsync().ConfigureAwait(false);
            foreach (Decoded d in batch)
            {
                Unindex(d);
            }
        }
    }

    // ---------------------------------------------------------------- transaction table

    /// <summary>Transactions with prepared records in this container.</summary>
    public int PreparedTransactionCount => _prepared.Count;

    /// <summary>The transactions with prepared records, by id, with their epoch range and record count.</summary>
    public List<VosPreparedTransaction> ListPreparedTransactions()
    {
        var result = new List<VosPreparedTransaction>(_prepared.Count);
        foreach ((uint id, List<long> records) in _prepared)
        {
            ulong low = ulong.MaxValue, high = 0;
            foreach (long at in records)
            {
                ulong epoch = _heap.Read<ulong>(at + RecordFormat.EpochAt);
                low = Math.Min(low, epoch);
                high = Math.Max(high, epoch);
            }

            result.Add(new VosPreparedTransaction(new VosTransactionId(id), new Epoch(low), new Epoch(high), records.Count));
        }

        result.Sort(static (x, y) => x.Id.Value.CompareTo(y.Id.Value));
        return result;
    }

    private void IndexOrHold(long record, uint transactionId)
    {
        if (transactionId == 0)
        {
            Index(Decode(record), record);
        }
        else
        {
            AddPrepared(transactionId, record, Decode(record).Version);
        }
    }

    private void AddPrepared(uint transactionId, long record, VersionStamp version)
    {
        if (_objects.TryGetValue(RecordOid(record), out ObjectState? o))
        {
            NoteVersion(o, version); // otherwise noted when the object is loaded
        }

        if (!_prepared.TryGetValue(transactionId, out List<long>? records))
        {
            records = [];
            _prepared.Add(transactionId, records);
        }

        records.Add(record);
    }

    /// <summary>
    /// Commits a prepared transaction: in one heap transaction its records lose the prepared flag (and their
    /// transaction reference), then they join the index and become visible to every reader at their epochs.
    /// </summary>
    public async ValueTask CommitTransactionAsync(uint transactionId)
    {
        if (!_prepared.TryGetValue(transactionId, out List<long>? records))
        {
            throw new DaosException(DaosError.NonExistent, $"transaction {transactionId} has nothing prepared in container {Id}");
        }

        TrimCache();
        foreach (long at in records)
        {
            GetOrLoad(Decode(at).Oid);
        }

        UmemTransaction tx = _heap.Begin();
        try
        {
            foreach (long at in records)
            {
                Detach(tx, at);
                int length = RecordFormat.LengthOf(_heap.Read(at, RecordFormat.HeaderBytes));
                Span<byte> r = tx.AddRange(at, length);
                r[RecordFormat.FlagsAt] &= unchecked((byte)~RecordFormat.FlagPrepared);
                BinaryPrimitives.WriteUInt32LittleEndian(r[RecordFormat.TransactionAt..], 0);
                BinaryPrimitives.WriteUInt32LittleEndian(r[RecordFormat.CrcAt..], RecordFormat.Checksum(r));
                Link(tx, at, prepared: false, Decode(at).Oid);
            }
        }
        catch
        {
            tx.Abort();
            throw;
        }

        await tx.CommitAsync().ConfigureAwait(false);
        _prepared.Remove(transactionId);
        foreach (long at in records)
        {
            Index(Decode(at), at);
        }
    }

    /// <summary>Aborts a prepared transaction: its records are freed (with their blob blocks) in one heap transaction.</summary>
    public async ValueTask AbortTransactionAsync(uint transactionId)
    {
        TrimCache();
        if (!_prepared.TryGetValue(transactionId, out List<long>? records))
        {
            throw new DaosException(DaosError.NonExistent, $"transaction {transactionId} has nothing prepared in container {Id}");
        }

        UmemTransaction tx = _heap.Begin();
        try
        {
            foreach (long at in records)
            {
                Unlink(tx, at);
            }
        }
        catch
        {
            tx.Abort();
            throw;
        }

        await tx.CommitAsync().ConfigureAwait(false);
        _prepared.Remove(transactionId);
    }

    // ---------------------------------------------------------------- records

    private long Append(UmemTransaction tx, RecordKind kind, byte flags, VersionStamp version, ObjectId oid,
        ReadOnlySpan<byte> dkey, ReadOnlySpan<byte> akey, int valueLength, long index, long count, int recordSize,
        long blobBlock, ReadOnlySpan<byte> inlineValue, uint transactionId)
    {
        if (transactionId != 0)
        {
            flags |= RecordFormat.FlagPrepared;
        }

        int length = RecordFormat.RecordBytes(dkey.Length, akey.Length, inlineValue.Length);
        if (!tx.TryAllocate(length, out long at))
        {
            throw new DaosException(DaosError.NoSpace, $"the heap has no room for a {length}-byte record");
        }

        Span<byte> r = tx.AddRange(at, length);
        r.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(r, RecordFormat.RecordMagic);
        r[RecordFormat.KindAt] = (byte)kind;
        r[RecordFormat.FlagsAt] = flags;
        BinaryPrimitives.WriteUInt16LittleEndian(r[RecordFormat.MinorAt..], version.Minor);
        BinaryPrimitives.WriteUInt64LittleEndian(r[RecordFormat.EpochAt..], version.Epoch);
        BinaryPrimitives.WriteUInt64LittleEndian(r[RecordFormat.OidHiAt..], oid.Hi);
        BinaryPrimitives.WriteUInt64LittleEndian(r[RecordFormat.OidLoAt..], oid.Lo);
        BinaryPrimitives.WriteUInt16LittleEndian(r[RecordFormat.DkeyLengthAt..], (ushort)dkey.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(r[RecordFormat.AkeyLengthAt..], (ushort)akey.Length);
        BinaryPrimitives.WriteInt32LittleEndian(r[RecordFormat.ValueLengthAt..], valueLength);
        BinaryPrimitives.WriteInt64LittleEndian(r[RecordFormat.IndexAt..], index);
        BinaryPrimitives.WriteInt64LittleEndian(r[RecordFormat.CountAt..], count);
        BinaryPrimitives.WriteInt32LittleEndian(r[RecordFormat.RecordSizeAt..], recordSize);
        BinaryPrimitives.WriteInt64LittleEndian(r[RecordFormat.BlobBlockAt..], blobBlock);
        BinaryPrimitives.WriteUInt32LittleEndian(r[RecordFormat.TransactionAt..], transactionId);
        dkey.CopyTo(r[RecordFormat.HeaderBytes..]);
        akey.CopyTo(r[(RecordFormat.HeaderBytes + dkey.Length)..]);
        inlineValue.CopyTo(r[(RecordFormat.HeaderBytes + dkey.Length + akey.Length)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(r[RecordFormat.CrcAt..], RecordFormat.Checksum(r));
        Link(tx, at, transactionId != 0, oid);
        AddToRecordCount(tx, 1);
        return at;
    }

    private void Unlink(UmemTransaction tx, long at)
    {
        Detach(tx, at);
        AddToRecordCount(tx, -1);
        FreeRecord(_heap, _blob, tx, at);
    }

    private static void FreeRecord(UmemHeap heap, BlobStore blob, UmemTransaction tx, long at)
    {
        if ((heap.Read<byte>(at + RecordFormat.FlagsAt) & RecordFormat.FlagInBlob) != 0)
        {
            int length = heap.Read<int>(at + RecordFormat.ValueLengthAt);
            blob.Free(tx, heap.Read<long>(at + RecordFormat.BlobBlockAt), (length + BlobFormat.BlockBytes - 1) / BlobFormat.BlockBytes);
        }

        tx.Free(at);
    }

    /// <summary>A record's fields, copied out of the heap.</summary>
    private readonly record struct Decoded(long At, RecordKind Kind, bool InBlob, bool IsHole, VersionStamp Version, ObjectId Oid,
        byte[] Dkey, byte[] Akey, int ValueLength, long Index, long Count, int RecordSize, long BlobBlock, long DataAt,
        bool Prepared, uint TransactionId);

    private Decoded Decode(long at)
    {
        ReadOnlySpan<byte> h = _heap.Read(at, RecordFormat.HeaderBytes);
        int dkeyLength = BinaryPrimitives.ReadUInt16LittleEndian(h[RecordFormat.DkeyLengthAt..]);
        int akeyLength = BinaryPrimitives.ReadUInt16LittleEndian(h[RecordFormat.AkeyLengthAt..]);
        byte flags = h[RecordFormat.FlagsAt];
        var version = new VersionStamp(BinaryPrimitives.ReadUInt64LittleEndian(h[RecordFormat.EpochAt..]),
            BinaryPrimitives.ReadUInt16LittleEndian(h[RecordFormat.MinorAt..]));
        var oid = new ObjectId(BinaryPrimitives.ReadUInt64LittleEndian(h[RecordFormat.OidHiAt..]),
            BinaryPrimitives.ReadUInt64LittleEndian(h[RecordFormat.OidLoAt..]));
        long keysAt = at + RecordFormat.HeaderBytes;
        return new Decoded(at, (RecordKind)h[RecordFormat.KindAt], (flags & RecordFormat.FlagInBlob) != 0,
            (flags & RecordFormat.FlagHole) != 0, version, oid, _heap.Read(keysAt, dkeyLength).ToArray(),
            _heap.Read(keysAt + dkeyLength, akeyLength).ToArray(), BinaryPrimitives.ReadInt32LittleEndian(h[RecordFormat.ValueLengthAt..]),
            BinaryPrimitives.ReadInt64LittleEndian(h[RecordFormat.IndexAt..]), BinaryPrimitives.ReadInt64LittleEndian(h[RecordFormat.CountAt..]),
            BinaryPrimitives.ReadInt32LittleEndian(h[RecordFormat.RecordSizeAt..]), BinaryPrimitives.ReadInt64LittleEndian(h[RecordFormat.BlobBlockAt..]),
            keysAt + dkeyLength + akeyLength, (flags & RecordFormat.FlagPrepared) != 0,
            BinaryPrimitives.ReadUInt32LittleEndian(h[RecordFormat.TransactionAt..]));
    }

    // ---------------------------------------------------------------- index

    private void Index(Decoded d, long at)
    {
        ObjectState o = GetOrAdd(d.Oid);
        NoteVersion(o, d.Version);
        if (d.Kind == RecordKind.ObjectPunch)
        {
            o.Log.AddPunch(d.Version, at);
            return;
        }

        if (!o.Dkeys.TryGetValue(d.Dkey, out DkeyState? dk))
        {
            dk = new DkeyState(KeyOrder.ForAkeys(d.Oid.Type));
            o.Dkeys.Add(d.Dkey, dk);
        }

        if (d.Kind == RecordKind.DkeyPunch)
        {
            dk.Log.AddPunch(d.Version, at);
            return;
        }

        if (!dk.Akeys.TryGetValue(d.Akey, out AkeyState? ak))
        {
            ak = new AkeyState();
            dk.Akeys.Add(d.Akey, ak);
        }

        switch (d.Kind)
        {
            case RecordKind.AkeyPunch:
                ak.Log.AddPunch(d.Version, at);
                return;
            case RecordKind.SingleValue:
                var single = new SingleVersion(d.Version, at);
                int i = ak.Singles.BinarySearch(single);
                ak.Singles.Insert(i >= 0 ? i : ~i, single);
                break;
            default:
                ak.Extents.Add(new ExtentEntry(d.Index, d.Count, d.Version, d.IsHole, at));
                if (!d.IsHole)
                {
                    ak.RecordSize = d.RecordSize;
                }

                break;
        }

        ak.Log.AddCreate(d.Version);
    }

    private void Unindex(Decoded d)
    {
        ObjectState o = _objects[d.Oid];
        if (d.Kind == RecordKind.ObjectPunch)
        {
            o.Log.RemovePunchRecord(d.At);
        }
        else
        {
            DkeyState dk = o.Dkeys[d.Dkey];
            if (d.Kind == RecordKind.DkeyPunch)
            {
                dk.Log.RemovePunchRecord(d.At);
            }
            else
            {
                AkeyState ak = dk.Akeys[d.Akey];
                if (d.Kind == RecordKind.AkeyPunch)
                {
                    ak.Log.RemovePunchRecord(d.At);
                }
                else
                {
                    if (d.Kind == RecordKind.SingleValue)
                    {
                        ak.Singles.RemoveAt(ak.Singles.BinarySearch(new SingleVersion(d.Version, d.At)));
                    }
                    else
                    {
                        ak.Extents.RemoveAt(ak.Extents.FindIndex(e => e.Source == d.At));
                        if (!ak.Extents.Exists(e => !e.IsHole))
                        {
                            ak.RecordSize = 0;
                        }
                    }

                    ak.Log.RemoveCreate(d.Version);
                }

                if (ak.IsEmpty)
                {
                    dk.Akeys.Remove(d.Akey);
                }
            }

            if (dk.IsEmpty)
            {
                o.Dkeys.Remove(d.Dkey);
            }
        }

        if (o.IsEmpty)
        {
            Evict(o);
        }
    }

    /// <summary>
    /// The cached state of an object an operation indexes into. Operations load their objects before their
    /// transaction, so an absent state means the object emptied earlier in this operation and starts afresh.
    /// </summary>
    private ObjectState GetOrAdd(ObjectId oid)
    {
        if (!_objects.TryGetValue(oid, out ObjectState? o))
        {
            o = new ObjectState(KeyOrder.ForDkeys(oid.Type), oid);
            _objects.Add(oid, o);
            _lru.AddLast(o.LruNode);
        }

        return o;
    }

    private AkeyState? FindAkey(ObjectId oid, ReadOnlySpan<byte> dkey, ReadOnlySpan<byte> akey) =>
        GetOrLoad(oid).Dkeys.TryGetValue(dkey.ToArray(), out DkeyState? d)
            && d.Akeys.TryGetValue(akey.ToArray(), out AkeyState? a) ? a : null;

    private VersionStamp PunchBound(ObjectId oid, ReadOnlySpan<byte> dkey, ReadOnlySpan<byte> akey, VersionStamp bound)
    {
        ObjectState o = GetOrLoad(oid);
        VersionStamp punch = o.Log.NewestPunch(bound);
        if (o.Dkeys.TryGetValue(dkey.ToArray(), out DkeyState? d))
        {
            punch = Max(punch, d.Log.NewestPunch(bound));
            if (d.Akeys.TryGetValue(akey.ToArray(), out AkeyState? a))
            {
                punch = Max(punch, a.Log.NewestPunch(bound));
            }
        }

        return punch;
    }

    private bool AkeyExists(ObjectId oid, ReadOnlySpan<byte> dkey, ReadOnlySpan<byte> akey, VersionStamp bound)
    {
        ObjectState o = GetOrLoad(oid);
        if (!o.Dkeys.TryGetValue(dkey.ToArray(), out DkeyState? d) || !d.Akeys.TryGetValue(akey.ToArray(), out AkeyState? a))
        {
            return false;
        }

        return a.Log.Evaluate(bound, Max(o.Log.NewestPunch(bound), d.Log.NewestPunch(bound))).Exists;
    }

    private bool DkeyExists(ObjectId oid, ReadOnlySpan<byte> dkey, VersionStamp bound) =>
        GetOrLoad(oid) is var o && o.Dkeys.TryGetValue(dkey.ToArray(), out DkeyState? d)
            && DkeyExists(d, bound, o.Log.NewestPunch(bound));

    private bool ObjectExists(ObjectId oid, VersionStamp bound)
    {
        ObjectState o = GetOrLoad(oid);
        VersionStamp objectPunch = o.Log.NewestPunch(bound);
        foreach (DkeyState d in o.Dkeys.Values)
        {
            if (DkeyExists(d, bound, objectPunch))
            {
                return true;
            }
        }

        return false;
    }

    private static VersionStamp Max(VersionStamp a, VersionStamp b) => a >= b ? a : b;

    // ---------------------------------------------------------------- conditions

    private const VosCondition UpdateConditions =
        VosCondition.DkeyInsert | VosCondition.DkeyUpdate | VosCondition.InsertOnly | VosCondition.UpdateOnly;

    private const VosCondition FetchConditions = VosCondition.DkeyFetch | VosCondition.AkeyFetch;

    /// <summary>
    /// Checks <paramref name="condition"/> (a subset of <paramref name="allowed"/>) against the dkey and akey as a
    /// read at <paramref name="epoch"/> sees them: Exists for a failed insert, NonExistent for a failed update or fetch.
    /// </summary>
    private void CheckConditions(VosCondition condition, VosCondition allowed, ObjectId oid, ReadOnlySpan<byte> dkey,
        ReadOnlySpan<byte> akey, Epoch epoch)
    {
        if (condition == VosCondition.None)
        {
            return;
        }

        RequireConditions(condition, allowed);
        VersionStamp bound = VersionStamp.ReadBound(epoch.Value);
        if ((condition & (VosCondition.DkeyInsert | VosCondition.DkeyUpdate | VosCondition.DkeyFetch)) != 0)
        {
            Require(DkeyExists(oid, dkey, bound), (condition & VosCondition.DkeyInsert) != 0, "dkey", epoch);
        }

        if ((condition & (VosCondition.InsertOnly | VosCondition.UpdateOnly | VosCondition.AkeyFetch)) != 0)
        {
            Require(AkeyExists(oid, dkey, akey, bound), (condition & VosCondition.InsertOnly) != 0, "akey", epoch);
        }
    }

    private static void Require(bool exists, bool insert, string what, Epoch epoch)
    {
        if (insert && exists)
        {
            throw new DaosException(DaosError.Exists, $"{what} exists at epoch {epoch} (insert-only condition)");
        }

        if (!insert && !exists)
        {
            throw new DaosException(DaosError.NonExistent, $"{what} does not exist at epoch {epoch} (must-exist condition)");
        }
    }

    private static void RequireConditions(VosCondition condition, VosCondition allowed)
    {
        if ((condition & ~allowed) != 0
            || (condition & (VosCondition.DkeyInsert | VosCondition.DkeyUpdate)) == (VosCondition.DkeyInsert | VosCondition.DkeyUpdate)
            || (condition & (VosCondition.InsertOnly | VosCondition.UpdateOnly)) == (VosCondition.InsertOnly | VosCondition.UpdateOnly))
        {
            throw new DaosException(DaosError.InvalidArgument, $"condition {condition} does not apply here (allowed: {allowed}, not insert and update together)");
        }
    }

    // ---------------------------------------------------------------- versions

    /// <summary>
    /// The stamp of the next change to <paramref name="oid"/> at <paramref name="epoch"/>: minor epochs order changes
    /// made at one epoch within an object, so a later punch or write at the same epoch wins over an earlier one. The
    /// object is loaded first, so its counters cover every record it has (prepared ones included).
    /// </summary>
    private VersionStamp NextVersion(ObjectId oid, Epoch epoch)
    {
        ref ushort minor = ref CollectionsMarshal.GetValueRefOrAddDefault(GetOrLoad(oid).Minors, epoch.Value, out _);
        if (minor == ushort.MaxValue - 1)
        {
            throw new DaosException(DaosError.Overflow, $"epoch {epoch} already holds {minor} changes to object {oid}");
        }

        minor++;
        return new VersionStamp(epoch.Value, minor);
    }

    private void ForgetVersion(ObjectId oid, VersionStamp version)
    {
        if (!_objects.TryGetValue(oid, out ObjectState? o))
        {
            return;
        }

        ref ushort minor = ref CollectionsMarshal.GetValueRefOrNullRef(o.Minors, version.Epoch);
        if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref minor) && minor == version.Minor)
        {
            minor--;
        }
    }

    private static void NoteVersion(ObjectState o, VersionStamp version)
    {
        ref ushort minor = ref CollectionsMarshal.GetValueRefOrAddDefault(o.Minors, version.Epoch, out _);
        if (version.Minor > minor)
        {
            minor = version.Minor;
        }
    }

    private ObjectId RecordOid(long record) =>
        new(_heap.Read<ulong>(record + RecordFormat.OidHiAt), _heap.Read<ulong>(record + RecordFormat.OidLoAt));

    private static void CheckEpoch(Epoch epoch)
    {
        if (!epoch.IsValidForUpdate)
        {
            throw new DaosException(DaosError.InvalidArgument, $"epoch {epoch} cannot be written (0 and max are reserved)");
        }
    }

    private static void CheckKeys(ObjectId oid, ReadOnlySpan<byte> dkey, ReadOnlySpan<byte> akey)
    {
        KeyOrder.Validate(dkey, oid.Type.HasUInt64Dkeys(), "dkey");
        KeyOrder.Validate(akey, oid.Type.HasUInt64Akeys(), "akey");
    }
}
