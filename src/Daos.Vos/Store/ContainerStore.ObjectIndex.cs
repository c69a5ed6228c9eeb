using System.Buffers.Binary;
using Daos.Vos.Bio;
using Daos.Vos.Btree;
using Daos.Vos.Umem;

namespace Daos.Vos.Store;

/// <summary>
/// The container's persistent object index and the bounded cache of object states over it. The index is a B+tree
/// in the container record keyed by object id (<see cref="BtreeKeyClass.Pair64"/>: Hi, Lo) whose value is the heap
/// offset of an object node; the node heads the object's own record list. Opening a container reads its record
/// and its prepared list only; an object's records are read (and checked) when an operation first touches it, and
/// objects untouched for longest are dropped from memory once more than the cache limit are held.
/// </summary>
internal sealed partial class ContainerStore
{
    private BplusTree? _objectIndex;

    /// <summary>Objects whose state is held in memory now.</summary>
    public int CachedObjectCount => _objects.Count;

    /// <summary>Records read from object lists since the container was opened (each load counts its records).</summary>
    public long RecordsLoaded { get; private set; }

    /// <summary>Object states loaded from the heap since the container was opened.</summary>
    public long ObjectsLoaded { get; private set; }

    private BplusTree ObjectIndex => _objectIndex ??= BplusTree.Open(_heap, ContainerRecord + RecordFormat.ContainerObjectIndexAt);

    /// <summary>Writes the empty object index of a new container record at <paramref name="containerRecord"/>.</summary>
    public static void CreateIndex(UmemTransaction tx, long containerRecord) =>
        BplusTree.Create(tx, containerRecord + RecordFormat.ContainerObjectIndexAt, BtreeKeyClass.Pair64, BtreeFormat.OrderDefault,
            RecordFormat.ContainerObjectIndexValueBytes);

    /// <summary>
    /// Opens the container: checks its record count and object index root, and reads its prepared list (the
    /// transaction table). No object's records are read.
    /// </summary>
    public void Open()
    {
        if (_heap.Read<long>(ContainerRecord + RecordFormat.ContainerRecordCountAt) < 0)
        {
            throw Corrupt(ContainerRecord, "the container's record count is negative");
        }

        _ = ObjectIndex;
        WalkList(_heap.Read<long>(ContainerRecord + RecordFormat.ContainerPreparedAt), null, (d, at) =>
        {
            if (!d.Prepared || d.TransactionId == 0)
            {
                throw Corrupt(at, "a record on the prepared list is not prepared");
            }

            AddPrepared(d.TransactionId, at, d.Version);
        });
    }

    /// <summary>
    /// The state of <paramref name="oid"/>: cached, or read from its record list (an empty state when the index has
    /// no such object). The state stays cached until <see cref="TrimCache"/> drops it.
    /// </summary>
    private ObjectState GetOrLoad(ObjectId oid)
    {
        if (_objects.TryGetValue(oid, out ObjectState? o))
        {
            _lru.Remove(o.LruNode);
            _lru.AddLast(o.LruNode);
            return o;
        }

        o = new ObjectState(KeyOrder.ForDkeys(oid.Type), oid);
        _objects.Add(oid, o);
        _lru.AddLast(o.LruNode);
        foreach (List<long> records in _prepared.Values)
        {
            foreach (long at in records)
            {
                if (RecordOid(at) == oid)
                {
                    NoteVersion(o, Decode(at).Version);
                }
            }
        }

        long node = FindObjectNode(oid);
        if (node == 0)
        {
            return o;
        }

        try
        {
            ObjectsLoaded++;
            WalkList(_heap.Read<long>(node + RecordFormat.ObjectNodeRecordsAt), oid, (d, at) =>
            {
                if (d.Prepared)
                {
                    throw Corrupt(at, "a prepared record is on an object's list");
                }

                RecordsLoaded++;
                Index(d, at);
            });
        }
        catch
        {
            Evict(o);
            throw;
        }

        return o;
    }

    /// <summary>Drops the least recently used object states beyond the cache limit (only between operations).</summary>
    private void TrimCache()
    {
        while (_objects.Count > _objectCacheLimit && _lru.First is { } oldest)
        {
            Evict(_objects[oldest.Value]);
        }
    }

    private void Evict(ObjectState o)
    {
        _objects.Remove(o.Oid);
        _lru.Remove(o.LruNode);
    }

    /// <summary>
    /// The object ids in the index in id order, after <paramref name="after"/> when given, read lazily from a cursor
    /// (callers may load object states between items: that reads the heap and changes nothing).
    /// </summary>
    private IEnumerable<ObjectId> IndexedObjects(ObjectId? after = null)
    {
        BplusTree.Cursor cursor = ObjectIndex.OpenCursor();
        byte[] key = new byte[16];
        bool valid = after is { } a ? cursor.Seek(OidKey(a, key)) : cursor.SeekFirst();
        while (valid)
        {
            ObjectId oid = KeyOid(cursor.Key);
            if (after is not { } b || oid.CompareTo(b) > 0)
            {
                yield return oid;
            }

            valid = cursor.MoveNext();
        }
    }

    private static ReadOnlySpan<byte> OidKey(ObjectId oid, Span<byte> key)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(key, oid.Hi);
        BinaryPrimitives.WriteUInt64LittleEndian(key[8..], oid.Lo);
        return key;
    }

    private static ObjectId KeyOid(ReadOnlySpan<byte> key) =>
        new(BinaryPrimitives.ReadUInt64LittleEndian(key), BinaryPrimitives.ReadUInt64LittleEndian(key[8..]));

    /// <summary>The heap offset of <paramref name="oid"/>'s object node, 0 when the index has none; the node is checked.</summary>
    private long FindObjectNode(ObjectId oid) => FindObjectNode(_heap, ObjectIndex, oid);

    private static long FindObjectNode(UmemHeap heap, BplusTree index, ObjectId oid)
    {
        Span<byte> key = stackalloc byte[16];
        Span<byte> value = stackalloc byte[RecordFormat.ContainerObjectIndexValueBytes];
        if (!index.TryGet(OidKey(oid, key), value))
        {
            return 0;
        }

        long node = BinaryPrimitives.ReadInt64LittleEndian(value);
        CheckObjectNode(heap, node, oid);
        return node;
    }

    private static void CheckObjectNode(UmemHeap heap, long node, ObjectId oid)
    {
        if (node < UmemHeap.RootOffset || node > heap.SizeBytes - RecordFormat.ObjectNodeBytes || node % 8 != 0
            || heap.Read<uint>(node) != RecordFormat.ObjectNodeMagic
            || heap.Read<ulong>(node + RecordFormat.ObjectNodeOidHiAt) != oid.Hi
            || heap.Read<ulong>(node + RecordFormat.ObjectNodeOidLoAt) != oid.Lo)
        {
            throw new DaosException(DaosError.Corrupted, $"the object node of {oid} at heap offset {node} is damaged");
        }
    }

    /// <summary>The list head field records of <paramref name="oid"/> hang from, creating the object's node when asked.</summary>
    private long ObjectListHead(UmemTransaction tx, ObjectId oid, bool create)
    {
        long node = FindObjectNode(oid);
        if (node == 0)
        {
            if (!create)
            {
                throw new DaosException(DaosError.Corrupted, $"object {oid} has records but no entry in the object index");
            }

            if (!tx.TryAllocate(RecordFormat.ObjectNodeBytes, out node))
            {
                throw new DaosException(DaosError.NoSpace, "the heap has no room for an object node");
            }

            Span<byte> n = tx.AddRange(node, RecordFormat.ObjectNodeBytes);
            n.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(n, RecordFormat.ObjectNodeMagic);
            BinaryPrimitives.WriteUInt64LittleEndian(n[RecordFormat.ObjectNodeOidHiAt..], oid.Hi);
            BinaryPrimitives.WriteUInt64LittleEndian(n[RecordFormat.ObjectNodeOidLoAt..], oid.Lo);
            Span<byte> key = stackalloc byte[16];
            Span<byte> value = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(value, node);
            ObjectIndex.Insert(tx, OidKey(oid, key), value, overwrite: false);
        }

        return node + RecordFormat.ObjectNodeRecordsAt;
    }

    /// <summary>Puts record <paramref name="at"/> at the head of its list: the prepared list or its object's list.</summary>
    private void Link(UmemTransaction tx, long at, bool prepared, ObjectId oid)
    {
        long headField = prepared ? ContainerRecord + RecordFormat.ContainerPreparedAt : ObjectListHead(tx, oid, create: true);
        long head = _heap.Read<long>(headField);
        tx.Write(at + RecordFormat.PrevAt, 0L);
        tx.Write(at + RecordFormat.NextAt, head);
        if (head != 0)
        {
            tx.Write(head + RecordFormat.PrevAt, at);
        }

        tx.Write(headField, at);
    }

    /// <summary>Takes record <paramref name="at"/> off its list; an object whose list empties leaves the index.</summary>
    private void Detach(UmemTransaction tx, long at)
    {
        bool prepared = (_heap.Read<byte>(at + RecordFormat.FlagsAt) & RecordFormat.FlagPrepared) != 0;
        var oid = new ObjectId(_heap.Read<ulong>(at + RecordFormat.OidHiAt), _heap.Read<ulong>(at + RecordFormat.OidLoAt));
        long headField = prepared ? ContainerRecord + RecordFormat.ContainerPreparedAt : ObjectListHead(tx, oid, create: false);
        long prev = _heap.Read<long>(at + RecordFormat.PrevAt);
        long next = _heap.Read<long>(at + RecordFormat.NextAt);
        tx.Write(prev != 0 ? prev + RecordFormat.NextAt : headField, next);
        if (next != 0)
        {
            tx.Write(next + RecordFormat.PrevAt, prev);
        }

        if (!prepared && prev == 0 && next == 0)
        {
            Span<byte> key = stackalloc byte[16];
            ObjectIndex.Delete(tx, OidKey(oid, key));
            tx.Free(headField - RecordFormat.ObjectNodeRecordsAt);
        }
    }

    private void AddToRecordCount(UmemTransaction tx, long delta) =>
        tx.Write(ContainerRecord + RecordFormat.ContainerRecordCountAt,
            _heap.Read<long>(ContainerRecord + RecordFormat.ContainerRecordCountAt) + delta);

    /// <summary>
    /// Walks a record list from <paramref name="head"/>, checking every record as hostile input (bounds, magic, back
    /// links, length, CRC, field ranges, and the owning object when <paramref name="owner"/> is given).
    /// </summary>
    private void WalkList(long head, ObjectId? owner, Action<Decoded, long> visit)
    {
        long at = head;
        long previous = 0;
        long guard = _heap.SizeBytes / RecordFormat.HeaderBytes + 1;
        while (at != 0)
        {
            if (--guard < 0)
            {
                throw Corrupt(at, "the record list has a cycle");
            }

            if (at < UmemHeap.RootOffset || at > _heap.SizeBytes - RecordFormat.HeaderBytes || at % 8 != 0)
            {
                throw Corrupt(at, "record offset is outside the heap");
            }

            ReadOnlySpan<byte> header = _heap.Read(at, RecordFormat.HeaderBytes);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) != RecordFormat.RecordMagic)
            {
                throw Corrupt(at, "bad record magic");
            }

            if (BinaryPrimitives.ReadInt64LittleEndian(header[RecordFormat.PrevAt..]) != previous)
            {
                throw Corrupt(at, "record back link does not match");
            }

            int length = RecordFormat.LengthOf(header);
            if (length > _heap.SizeBytes - at)
            {
                throw Corrupt(at, "record length runs past the heap");
            }

            ReadOnlySpan<byte> record = _heap.Read(at, length);
            if (RecordFormat.Checksum(record) != BinaryPrimitives.ReadUInt32LittleEndian(record[RecordFormat.CrcAt..]))
            {
                throw Corrupt(at, "record checksum mismatch");
            }

            Decoded d = Decode(at);
            if (d.Kind is < RecordKind.ObjectPunch or > RecordKind.ArrayExtent || d.Version.Minor == 0
                || (d.Kind == RecordKind.ArrayExtent && (d.Count <= 0 || d.Index < 0 || d.Index > long.MaxValue - d.Count))
                || (d.InBlob && (d.BlobBlock < 0 || d.BlobBlock >= _blob.BlockCount))
                || (owner is { } o && d.Oid != o))
            {
                throw Corrupt(at, "record fields are out of range");
            }

            visit(d, at);
            previous = at;
            at = BinaryPrimitives.ReadInt64LittleEndian(header[RecordFormat.NextAt..]);
        }
    }

    /// <summary>
    /// Frees up to <paramref name="maxRecords"/> records of a destroyed container (GC slice): its prepared list first,
    /// then object by object in id order, each emptied object leaving the index. True when nothing is left.
    /// </summary>
    public static bool FreeSlice(UmemHeap heap, BlobStore blob, UmemTransaction tx, long containerRecord, int maxRecords)
    {
        int budget = maxRecords;
        long preparedField = containerRecord + RecordFormat.ContainerPreparedAt;
        FreeListSlice(heap, blob, tx, preparedField, ref budget);
        if (heap.Read<long>(preparedField) != 0)
        {
            return false;
        }

        BplusTree index = BplusTree.Open(heap, containerRecord + RecordFormat.ContainerObjectIndexAt);
        Span<byte> key = stackalloc byte[16];
        while (budget > 0)
        {
            BplusTree.Cursor cursor = index.OpenCursor();
            if (!cursor.SeekFirst())
            {
                return true;
            }

            ObjectId oid = KeyOid(cursor.Key);
            long node = BinaryPrimitives.ReadInt64LittleEndian(cursor.Value);
            CheckObjectNode(heap, node, oid);
            FreeListSlice(heap, blob, tx, node + RecordFormat.ObjectNodeRecordsAt, ref budget);
            if (heap.Read<long>(node + RecordFormat.ObjectNodeRecordsAt) == 0)
            {
                index.Delete(tx, OidKey(oid, key));
                tx.Free(node);
            }
        }

        return index.IsEmpty;
    }

    private static void FreeListSlice(UmemHeap heap, BlobStore blob, UmemTransaction tx, long headField, ref int budget)
    {
        long at = heap.Read<long>(headField);
        for (; budget > 0 && at != 0; budget--)
        {
            long next = heap.Read<long>(at + RecordFormat.NextAt);
            FreeRecord(heap, blob, tx, at);
            at = next;
        }

        tx.Write(headField, at);
        if (at != 0)
        {
            tx.Write(at + RecordFormat.PrevAt, 0L);
        }
    }
}
