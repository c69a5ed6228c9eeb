using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Daos.Vos.Bio;
using Daos.Vos.Btree;
using Daos.Vos.Evtree;
using Daos.Vos.Umem;
using Daos.Vos.Versioning;

namespace Daos.Vos.Store;

/// <summary>
/// One container of a pool: its persistent trees on the heap (object index, dkey, akey, incarnation log, single-value
/// and extent trees; see ContainerStore.Trees.cs), and a cache of what recently used objects' trees hold (dkeys,
/// akeys, incarnation logs, value versions, extent entries), read dkey by dkey. Every change is one heap transaction
/// that writes or frees records together with their tree entries; the cache changes only after that transaction
/// commits, so a failed change leaves nothing behind.
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
        VersionStamp version = NextVersion(oid, dkey.Span, epoch);
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

            ForgetVersion(oid, dkey.Span, version);
            throw;
        }

        await tx.CommitAsync().ConfigureAwait(false);
        IndexOrHold(record, transactionId);
        foreach (Decoded d in replaced)
        {
            Unindex(d);
        }
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
        VersionStamp version = NextVersion(oid, dkey.Span, epoch);
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

            ForgetVersion(oid, dkey.Span, version);
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

        ReadOnlyMemory<byte> scope = kind == RecordKind.ObjectPunch ? default : dkey;
        VersionStamp version = NextVersion(oid, scope.Span, epoch);
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
            ForgetVersion(oid, scope.Span, version);
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
        DkeyState d = GetOrLoadDkey(o, dkey.ToArray());
        if (!d.Akeys.TryGetValue(akey.ToArray(), out AkeyState? state) || state.Singles.Count == 0)
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

            if (ObjectExists(oid, bound))
            {
                result.Add(oid);
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
        long objectNode = FindObjectNode(oid);
        if (objectNode == 0)
        {
            return result; // dkeys held only in memory are empty placeholders
        }

        // The dkey tree's cursor seeks straight to the anchor; each dkey is read (whole) as the walk reaches it.
        VersionStamp bound = VersionStamp.ReadBound(epoch.Value);
        VersionStamp objectPunch = o.Log.NewestPunch(bound);
        BplusTree.Cursor cursor = DkeyTree(objectNode, oid).OpenCursor();
        for (bool more = after is null ? cursor.SeekFirst() : cursor.Seek(after); more && result.Count < limit; more = cursor.MoveNext())
        {
            byte[] key = cursor.Key.ToArray();
            if (after is not null && o.Dkeys.Comparer.Compare(key, after) == 0)
            {
                continue;
            }

            if (DkeyExists(GetOrLoadDkey(o, key, ReadOffset(cursor.Value)), bound, objectPunch))
            {
                result.Add(key);
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
        DkeyState d = GetOrLoadDkey(o, dkey.ToArray());
        long objectNode = d.IsEmpty ? 0 : FindObjectNode(oid);
        long dkeyNode = objectNode == 0 ? 0 : FindKeyNode(DkeyTree(objectNode, oid), dkey, akey: false);
        if (dkeyNode == 0)
        {
            return result;
        }

        // The dkey is in memory whole; the akey tree's cursor gives the order and seeks to the anchor.
        VersionStamp bound = VersionStamp.ReadBound(epoch.Value);
        VersionStamp punch = Max(o.Log.NewestPunch(bound), d.Log.NewestPunch(bound));
        BplusTree.Cursor cursor = AkeyTree(dkeyNode, oid).OpenCursor();
        for (bool more = after is null ? cursor.SeekFirst() : cursor.Seek(after); more && result.Count < limit; more = cursor.MoveNext())
        {
            byte[] key = cursor.Key.ToArray();
            if (after is not null && d.Akeys.Comparer.Compare(key, after) == 0)
            {
                continue;
            }

            if (!d.Akeys.TryGetValue(key, out AkeyState? a))
            {
                throw Corrupt(dkeyNode, "the akey tree holds an akey the dkey's state does not");
            }

            if (a.Log.Evaluate(bound, punch).Exists)
            {
                result.Add(key);
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
            LoadAllDkeys(o);
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
            ObjectState o = GetOrLoad(oid);
            LoadAllDkeys(o);
            CollectEpochs(o.Log, from, to, victims);
            foreach (DkeyState d in o.Dkeys.Values)
            {
                CollectEpochs(d.Log, from, to, victims);
                foreach (AkeyState a in d.Akeys.Values)
                {
                    CollectEpochs(a.Log, from, to, victims);
                    foreach (SingleVersion v in a.Singles)
                    {
                        if (v.Version.Epoch >= from.Value && v.Version.Epoch <= to.Value)
                        {
                            victims.Add(v.Record);
                        }
                    }

                    foreach (ExtentEntry e in a.Extents)
                    {
                        if (e.Version.Epoch >= from.Value && e.Version.Epoch <= to.Value)
                        {
                            victims.Add(e.Source);
                        }
                    }
                }
            }
        }

        await RemoveRecordsAsync(victims).ConfigureAwait(false);
        return victims.Count;
    }

    private static void CollectEpochs(Incarnations log, Epoch from, Epoch to, List<long> victims)
    {
        for (int i = 0; i < log.PunchCount; i++)
        {
            if (log.PunchAt(i).Epoch >= from.Value && log.PunchAt(i).Epoch <= to.Value)
            {
                victims.Add(log.PunchRecordAt(i));
            }
        }
    }

    /// <summary>
    /// Frees <paramref name="victims"/> in slices of at most <see cref="SliceRecords"/> records per heap transaction.
    /// Taking records out of their trees also rewrites tree nodes (more when whole dkeys empty), so a slice that would
    /// outgrow the transaction's share of a small WAL (NoSpace while it is built) is abandoned and retried at half
    /// the size; a single record that still does not fit is a real NoSpace.
    /// </summary>
    private async ValueTask RemoveRecordsAsync(List<long> victims)
    {
        var batch = new List<Decoded>(SliceRecords);
        int slice = SliceRecords;
        for (int start = 0; start < victims.Count;)
        {
            batch.Clear();
            int end = Math.Min(victims.Count, start + slice);
            UmemTransaction tx = _heap.Begin();
            try
            {
                for (int i = start; i < end; i++)
                {
                    batch.Add(Decode(victims[i]));
                    Unlink(tx, victims[i]);
                }
            }
            catch (DaosException e) when (e.Error == DaosError.NoSpace && end - start > 1)
            {
                tx.Abort();
                slice = (end - start) / 2;
                continue;
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

            start = end;
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
        // Noted in the cached counters now when they are in memory; otherwise when the object or dkey is read.
        if (_objects.TryGetValue(RecordOid(record), out ObjectState? o))
        {
            if ((RecordKind)_heap.Read<byte>(record + RecordFormat.KindAt) == RecordKind.ObjectPunch)
            {
                NoteVersion(o.Minors, version);
            }
            else if (o.Dkeys.TryGetValue(Decode(record).Dkey, out DkeyState? d))
            {
                NoteVersion(d.Minors, version);
            }
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
            Decoded d = Decode(at);
            ObjectState o = GetOrLoad(d.Oid);
            if (d.Kind == RecordKind.ObjectPunch)
            {
                LoadAllDkeys(o);
            }
            else
            {
                GetOrLoadDkey(o, d.Dkey);
            }
        }

        UmemTransaction tx = _heap.Begin();
        try
        {
            foreach (long at in records)
            {
                DetachPrepared(tx, at);
                int length = RecordFormat.LengthOf(_heap.Read(at, RecordFormat.HeaderBytes));
                Span<byte> r = tx.AddRange(at, length);
                r[RecordFormat.FlagsAt] &= unchecked((byte)~RecordFormat.FlagPrepared);
                BinaryPrimitives.WriteUInt32LittleEndian(r[RecordFormat.TransactionAt..], 0);
                BinaryPrimitives.WriteUInt32LittleEndian(r[RecordFormat.CrcAt..], RecordFormat.Checksum(r));
                IndexRecord(tx, at);
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
        if (transactionId != 0)
        {
            LinkPrepared(tx, at);
        }
        else
        {
            IndexRecord(tx, at);
        }

        AddToRecordCount(tx, 1);
        return at;
    }

    /// <summary>Takes a record out of its tree (or the prepared list) and frees it with its blob blocks.</summary>
    private void Unlink(UmemTransaction tx, long at)
    {
        if ((_heap.Read<byte>(at + RecordFormat.FlagsAt) & RecordFormat.FlagPrepared) != 0)
        {
            DetachPrepared(tx, at);
        }
        else
        {
            UnindexRecord(tx, Decode(at));
        }

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

    /// <summary>
    /// Adds a committed record to the cached state, when the object and (for dkey-level records) the dkey are in
    /// memory; otherwise the trees alone hold it and it is read with its dkey.
    /// </summary>
    private void Index(Decoded d, long at)
    {
        if (!_objects.TryGetValue(d.Oid, out ObjectState? o))
        {
            return;
        }

        if (d.Kind == RecordKind.ObjectPunch)
        {
            NoteVersion(o.Minors, d.Version);
            o.Log.AddPunch(d.Version, at);
            return;
        }

        if (!o.Dkeys.TryGetValue(d.Dkey, out DkeyState? dk))
        {
            if (!o.AllDkeysLoaded)
            {
                return;
            }

            dk = new DkeyState(KeyOrder.ForAkeys(d.Oid.Type));
            o.Dkeys.Add(d.Dkey, dk);
        }

        NoteVersion(dk.Minors, d.Version);
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

    /// <summary>Takes a freed record out of the cached state (when its object and dkey are in memory).</summary>
    private void Unindex(Decoded d)
    {
        if (!_objects.TryGetValue(d.Oid, out ObjectState? o))
        {
            return;
        }

        if (d.Kind == RecordKind.ObjectPunch)
        {
            o.Log.RemovePunchRecord(d.At);
            return;
        }

        if (!o.Dkeys.TryGetValue(d.Dkey, out DkeyState? dk))
        {
            return;
        }

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

        // An emptied dkey leaves memory as it left the trees (its minors are read again, prepared ones included,
        // if it comes back).
        if (dk.IsEmpty)
        {
            o.Dkeys.Remove(d.Dkey);
        }
    }

    private AkeyState? FindAkey(ObjectId oid, ReadOnlySpan<byte> dkey, ReadOnlySpan<byte> akey) =>
        GetOrLoadDkey(oid, dkey).Akeys.TryGetValue(akey.ToArray(), out AkeyState? a) ? a : null;

    private VersionStamp PunchBound(ObjectId oid, ReadOnlySpan<byte> dkey, ReadOnlySpan<byte> akey, VersionStamp bound)
    {
        ObjectState o = GetOrLoad(oid);
        DkeyState d = GetOrLoadDkey(o, dkey.ToArray());
        VersionStamp punch = Max(o.Log.NewestPunch(bound), d.Log.NewestPunch(bound));
        if (d.Akeys.TryGetValue(akey.ToArray(), out AkeyState? a))
        {
            punch = Max(punch, a.Log.NewestPunch(bound));
        }

        return punch;
    }

    private bool AkeyExists(ObjectId oid, ReadOnlySpan<byte> dkey, ReadOnlySpan<byte> akey, VersionStamp bound)
    {
        ObjectState o = GetOrLoad(oid);
        DkeyState d = GetOrLoadDkey(o, dkey.ToArray());
        return d.Akeys.TryGetValue(akey.ToArray(), out AkeyState? a)
            && a.Log.Evaluate(bound, Max(o.Log.NewestPunch(bound), d.Log.NewestPunch(bound))).Exists;
    }

    private bool DkeyExists(ObjectId oid, ReadOnlySpan<byte> dkey, VersionStamp bound)
    {
        ObjectState o = GetOrLoad(oid);
        return DkeyExists(GetOrLoadDkey(o, dkey.ToArray()), bound, o.Log.NewestPunch(bound));
    }

    /// <summary>
    /// True when a dkey of the object exists at <paramref name="bound"/>. Dkeys are read one at a time in tree
    /// order until one exists, so an object that exists is usually decided by its first dkey.
    /// </summary>
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

        if (o.AllDkeysLoaded)
        {
            return false;
        }

        long objectNode = FindObjectNode(oid);
        if (objectNode != 0)
        {
            BplusTree.Cursor cursor = DkeyTree(objectNode, oid).OpenCursor();
            for (bool more = cursor.SeekFirst(); more; more = cursor.MoveNext())
            {
                byte[] key = cursor.Key.ToArray();
                if (!o.Dkeys.ContainsKey(key) && DkeyExists(GetOrLoadDkey(o, key, ReadOffset(cursor.Value)), bound, objectPunch))
                {
                    return true;
                }
            }
        }

        o.AllDkeysLoaded = true;
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
    /// The stamp of the next change at <paramref name="epoch"/> to the dkey <paramref name="dkey"/> of
    /// <paramref name="oid"/> (or, when <paramref name="dkey"/> is empty, to the object itself: a punch). Minor epochs
    /// order changes made at one epoch, so a later punch or write at the same epoch wins over an earlier one. Changes
    /// interact only within a dkey and with object punches, so a dkey counts its own minors above the object's, and an
    /// object punch takes one above every dkey's (it reads them all first). The counters cover every record the
    /// object has, prepared ones included, because they are read with the records.
    /// </summary>
    private VersionStamp NextVersion(ObjectId oid, ReadOnlySpan<byte> dkey, Epoch epoch)
    {
        ObjectState o = GetOrLoad(oid);
        ushort highest = o.Minors.GetValueOrDefault(epoch.Value);
        Dictionary<ulong, ushort> counters;
        if (dkey.IsEmpty)
        {
            LoadAllDkeys(o);
            foreach (DkeyState d in o.Dkeys.Values)
            {
                highest = Math.Max(highest, d.Minors.GetValueOrDefault(epoch.Value));
            }

            counters = o.Minors;
        }
        else
        {
            counters = GetOrLoadDkey(o, dkey.ToArray()).Minors;
            highest = Math.Max(highest, counters.GetValueOrDefault(epoch.Value));
        }

        if (highest >= ushort.MaxValue - 1)
        {
            throw new DaosException(DaosError.Overflow, $"epoch {epoch} already holds {highest} changes to object {oid}");
        }

        counters[epoch.Value] = (ushort)(highest + 1);
        return new VersionStamp(epoch.Value, (ushort)(highest + 1));
    }

    /// <summary>Gives back the minor <see cref="NextVersion"/> handed out for a change that did not happen.</summary>
    private void ForgetVersion(ObjectId oid, ReadOnlySpan<byte> dkey, VersionStamp version)
    {
        if (!_objects.TryGetValue(oid, out ObjectState? o))
        {
            return;
        }

        Dictionary<ulong, ushort>? counters = dkey.IsEmpty ? o.Minors
            : o.Dkeys.TryGetValue(dkey.ToArray(), out DkeyState? d) ? d.Minors : null;
        if (counters is not null && counters.TryGetValue(version.Epoch, out ushort minor) && minor == version.Minor)
        {
            counters[version.Epoch] = (ushort)(minor - 1);
        }
    }

    private static void NoteVersion(Dictionary<ulong, ushort> counters, VersionStamp version)
    {
        ref ushort minor = ref CollectionsMarshal.GetValueRefOrAddDefault(counters, version.Epoch, out _);
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
