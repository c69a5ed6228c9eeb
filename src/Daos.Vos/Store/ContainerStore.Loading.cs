using System.Buffers.Binary;
using Daos.Vos.Btree;
using Daos.Vos.Evtree;
using Daos.Vos.Umem;
using Daos.Vos.Versioning;

namespace Daos.Vos.Store;

/// <summary>
/// Reading the trees into the cache. Opening a container reads its record and its prepared list only; an object's
/// state starts with its own incarnation log, and each dkey is read whole (its log, akeys, their logs and value
/// trees, every record checked as hostile input) when an operation first touches it, so touching one dkey of a
/// large object reads that dkey's subtree and one path through the dkey tree. Objects untouched for longest leave
/// memory once more than the cache limit are held.
/// </summary>
internal sealed partial class ContainerStore
{
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
        long at = _heap.Read<long>(ContainerRecord + RecordFormat.ContainerPreparedAt);
        long previous = 0;
        long guard = _heap.SizeBytes / RecordFormat.HeaderBytes + 1;
        while (at != 0)
        {
            if (--guard < 0)
            {
                throw Corrupt(at, "the prepared list has a cycle");
            }

            Decoded d = ReadRecord(at);
            if (!d.Prepared || d.TransactionId == 0)
            {
                throw Corrupt(at, "a record on the prepared list is not prepared");
            }

            if (_heap.Read<long>(at + RecordFormat.PrevAt) != previous)
            {
                throw Corrupt(at, "record back link does not match");
            }

            AddPrepared(d.TransactionId, at, d.Version);
            previous = at;
            at = _heap.Read<long>(at + RecordFormat.NextAt);
        }
    }

    /// <summary>
    /// The state of <paramref name="oid"/> with its object-level incarnation log: cached, or read from its object
    /// node (an empty state when the index has no such object). Dkeys come in through GetOrLoadDkey.
    /// The state stays cached until <see cref="TrimCache"/> drops it.
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
        try
        {
            foreach (List<long> records in _prepared.Values)
            {
                foreach (long at in records)
                {
                    if (RecordOid(at) == oid && (RecordKind)_heap.Read<byte>(at + RecordFormat.KindAt) == RecordKind.ObjectPunch)
                    {
                        NoteVersion(o.Minors, Decode(at).Version);
                    }
                }
            }

            long node = FindObjectNode(oid);
            if (node == 0)
            {
                o.AllDkeysLoaded = true;
                return o;
            }

            ObjectsLoaded++;
            ReadLog(node + RecordFormat.ObjectNodeIlogAt, o.Log, o.Minors, RecordKind.ObjectPunch, oid, [], []);
        }
        catch
        {
            Evict(o);
            throw;
        }

        return o;
    }

    /// <summary>
    /// The state of one dkey of <paramref name="o"/>: cached, or read whole from its dkey node (found through the
    /// dkey tree unless <paramref name="knownNode"/> names it), or a new empty state when the object has no such dkey.
    /// </summary>
    private DkeyState GetOrLoadDkey(ObjectState o, byte[] dkey, long knownNode = 0)
    {
        if (o.Dkeys.TryGetValue(dkey, out DkeyState? d))
        {
            return d;
        }

        d = new DkeyState(KeyOrder.ForAkeys(o.Oid.Type));
        long node = knownNode;
        if (node == 0 && !o.AllDkeysLoaded)
        {
            long objectNode = FindObjectNode(o.Oid);
            node = objectNode == 0 ? 0 : FindKeyNode(DkeyTree(objectNode, o.Oid), dkey, akey: false);
        }
        else if (node != 0)
        {
            CheckKeyNode(_heap, node, akey: false);
        }

        if (node != 0)
        {
            LoadDkey(o.Oid, dkey, node, d);
        }

        foreach (List<long> records in _prepared.Values)
        {
            foreach (long at in records)
            {
                if (RecordOid(at) == o.Oid && (RecordKind)_heap.Read<byte>(at + RecordFormat.KindAt) != RecordKind.ObjectPunch)
                {
                    Decoded p = Decode(at);
                    if (p.Dkey.AsSpan().SequenceEqual(dkey))
                    {
                        NoteVersion(d.Minors, p.Version);
                    }
                }
            }
        }

        o.Dkeys.Add(dkey, d);
        return d;
    }

    private DkeyState GetOrLoadDkey(ObjectId oid, ReadOnlySpan<byte> dkey) => GetOrLoadDkey(GetOrLoad(oid), dkey.ToArray());

    /// <summary>Reads every dkey of <paramref name="o"/> not yet in memory (what object punches, aggregation and discard need).</summary>
    private void LoadAllDkeys(ObjectState o)
    {
        if (o.AllDkeysLoaded)
        {
            return;
        }

        long objectNode = FindObjectNode(o.Oid);
        if (objectNode != 0)
        {
            BplusTree.Cursor cursor = DkeyTree(objectNode, o.Oid).OpenCursor();
            for (bool more = cursor.SeekFirst(); more; more = cursor.MoveNext())
            {
                byte[] key = cursor.Key.ToArray();
                if (!o.Dkeys.ContainsKey(key))
                {
                    GetOrLoadDkey(o, key, ReadOffset(cursor.Value));
                }
            }
        }

        o.AllDkeysLoaded = true;
    }

    /// <summary>Reads a dkey node into <paramref name="d"/>: its log, then each akey (log and value tree) in key order.</summary>
    private void LoadDkey(ObjectId oid, byte[] dkey, long node, DkeyState d)
    {
        DkeysLoaded++;
        ReadLog(node + RecordFormat.DkeyNodeIlogAt, d.Log, d.Minors, RecordKind.DkeyPunch, oid, dkey, []);
        BplusTree.Cursor cursor = AkeyTree(node, oid).OpenCursor();
        for (bool more = cursor.SeekFirst(); more; more = cursor.MoveNext())
        {
            byte[] akey = cursor.Key.ToArray();
            long akeyNode = CheckKeyNode(_heap, ReadOffset(cursor.Value), akey: true);
            var a = new AkeyState();
            LoadAkey(oid, dkey, akey, akeyNode, a, d.Minors);
            d.Akeys.Add(akey, a);
        }

        if (d.IsEmpty)
        {
            throw Corrupt(node, "a dkey node holds nothing");
        }
    }

    private void LoadAkey(ObjectId oid, byte[] dkey, byte[] akey, long node, AkeyState a, Dictionary<ulong, ushort> minors)
    {
        ReadLog(node + RecordFormat.AkeyNodeIlogAt, a.Log, minors, RecordKind.AkeyPunch, oid, dkey, akey);
        long valuesAt = node + RecordFormat.AkeyNodeValuesAt;
        switch (_heap.Read<byte>(node + RecordFormat.AkeyNodeKindAt))
        {
            case RecordFormat.AkeyValuesSingle:
                BplusTree.Cursor cursor = VersionTree(valuesAt).OpenCursor();
                for (bool more = cursor.SeekFirst(); more; more = cursor.MoveNext())
                {
                    VersionStamp version = KeyVersion(cursor.Key, valuesAt);
                    long at = ReadOffset(cursor.Value);
                    CheckIndexed(ReadRecord(at), RecordKind.SingleValue, oid, dkey, akey, version);
                    a.Singles.Add(new SingleVersion(version, at));
                    a.Log.AddCreate(version);
                    NoteVersion(minors, version);
                }

                if (a.Singles.Count == 0)
                {
                    throw Corrupt(node, "an akey node names an empty single-value tree");
                }

                break;
            case RecordFormat.AkeyValuesArray:
                ExtentTree.Open(_heap, valuesAt, _nodeReads).All(a.Extents);
                if (a.Extents.Count == 0)
                {
                    throw Corrupt(node, "an akey node names an empty extent tree");
                }

                foreach (ExtentEntry e in a.Extents)
                {
                    Decoded r = ReadRecord(e.Source);
                    CheckIndexed(r, RecordKind.ArrayExtent, oid, dkey, akey, e.Version);
                    if (r.Index != e.Index || r.Count != e.Count || r.IsHole != e.IsHole)
                    {
                        throw Corrupt(e.Source, "the record's extent differs from its extent tree entry");
                    }

                    if (!r.IsHole)
                    {
                        a.RecordSize = r.RecordSize;
                    }

                    a.Log.AddCreate(e.Version);
                    NoteVersion(minors, e.Version);
                }

                break;
        }

        if (a.IsEmpty)
        {
            throw Corrupt(node, "an akey node holds nothing");
        }
    }

    /// <summary>Reads an incarnation log tree: every punch record it names, checked against where it was found.</summary>
    private void ReadLog(long rootAt, Incarnations log, Dictionary<ulong, ushort> minors, RecordKind kind, ObjectId oid,
        byte[] dkey, byte[] akey)
    {
        BplusTree.Cursor cursor = VersionTree(rootAt).OpenCursor();
        for (bool more = cursor.SeekFirst(); more; more = cursor.MoveNext())
        {
            VersionStamp version = KeyVersion(cursor.Key, rootAt);
            long at = ReadOffset(cursor.Value);
            CheckIndexed(ReadRecord(at), kind, oid, dkey, akey, version);
            log.AddPunch(version, at);
            NoteVersion(minors, version);
        }
    }

    /// <summary>Refuses a committed record that is not what its place in the trees says it is.</summary>
    private void CheckIndexed(in Decoded d, RecordKind kind, ObjectId oid, byte[] dkey, byte[] akey, VersionStamp version)
    {
        if (d.Prepared || d.TransactionId != 0)
        {
            throw Corrupt(d.At, "a prepared record is in an object's trees");
        }

        if (d.Kind != kind || d.Oid != oid || d.Version != version || !d.Dkey.AsSpan().SequenceEqual(dkey)
            || !d.Akey.AsSpan().SequenceEqual(akey))
        {
            throw Corrupt(d.At, "the record is not the one its tree entry names (kind, object, keys or version differ)");
        }

        RecordsLoaded++;
    }

    /// <summary>
    /// Reads the record at <paramref name="at"/>, checking it as hostile input: bounds, alignment, magic, length,
    /// CRC and field ranges.
    /// </summary>
    private Decoded ReadRecord(long at)
    {
        if (at < UmemHeap.RootOffset || at > _heap.SizeBytes - RecordFormat.HeaderBytes || at % 8 != 0)
        {
            throw Corrupt(at, "record offset is outside the heap");
        }

        ReadOnlySpan<byte> header = _heap.Read(at, RecordFormat.HeaderBytes);
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != RecordFormat.RecordMagic)
        {
            throw Corrupt(at, "bad record magic");
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
            || (d.InBlob && (d.BlobBlock < 0 || d.BlobBlock >= _blob.BlockCount)))
        {
            throw Corrupt(at, "record fields are out of range");
        }

        return d;
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
}
