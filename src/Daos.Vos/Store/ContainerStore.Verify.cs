using Daos.Vos.Btree;
using Daos.Vos.Evtree;

namespace Daos.Vos.Store;

internal sealed partial class ContainerStore
{
    /// <summary>
    /// Walks every tree of the container on the heap and checks it whole: each tree's structure
    /// (<see cref="BplusTree.Verify"/>), every node's place and magic, that no node is empty, that every record is
    /// what its tree entry says (kind, object, keys, version, extent, CRC) and named once, that the record count
    /// equals the trees' records plus the prepared list's, and that every dkey held in memory equals what its
    /// subtree holds. Throws <see cref="DaosError.Corrupted"/> on the first difference. Reads only; for tests and
    /// tools.
    /// </summary>
    public TreeReport VerifyTrees()
    {
        long recordsLoaded = RecordsLoaded, dkeysLoaded = DkeysLoaded, nodeReads = _nodeReads.Value;
        try
        {
            return Walk();
        }
        finally
        {
            RecordsLoaded = recordsLoaded;
            DkeysLoaded = dkeysLoaded;
            _nodeReads.Value = nodeReads;
        }
    }

    private TreeReport Walk()
    {
        ObjectIndex.Verify();
        var seen = new HashSet<long>();
        var akeys = new List<(ObjectId, byte[], byte[])>();
        long objects = 0, dkeys = 0;
        foreach (ObjectId oid in IndexedObjects())
        {
            objects++;
            long objectNode = FindObjectNode(oid);
            BplusTree log = VersionTree(objectNode + RecordFormat.ObjectNodeIlogAt);
            BplusTree dkeyTree = DkeyTree(objectNode, oid);
            log.Verify();
            dkeyTree.Verify();
            if (log.IsEmpty && dkeyTree.IsEmpty)
            {
                throw Corrupt(objectNode, $"object {oid}'s node holds nothing");
            }

            var objectLog = new Incarnations();
            ReadLog(objectNode + RecordFormat.ObjectNodeIlogAt, objectLog, [], RecordKind.ObjectPunch, oid, [], []);
            for (int i = 0; i < objectLog.PunchCount; i++)
            {
                Claim(seen, objectLog.PunchRecordAt(i));
            }

            _objects.TryGetValue(oid, out ObjectState? cached);
            if (cached is not null && !cached.Log.SameAs(objectLog))
            {
                throw Corrupt(objectNode, $"object {oid}: the cached incarnation log differs from the log tree");
            }

            BplusTree.Cursor cursor = dkeyTree.OpenCursor();
            for (bool more = cursor.SeekFirst(); more; more = cursor.MoveNext())
            {
                dkeys++;
                byte[] dkey = cursor.Key.ToArray();
                long dkeyNode = CheckKeyNode(_heap, ReadOffset(cursor.Value), akey: false);
                VerifyDkeyTrees(oid, dkeyNode);
                var fresh = new DkeyState(KeyOrder.ForAkeys(oid.Type));
                LoadDkey(oid, dkey, dkeyNode, fresh);
                ClaimAll(seen, fresh);
                foreach (byte[] akey in fresh.Akeys.Keys)
                {
                    akeys.Add((oid, dkey, akey));
                }

                if (cached is not null && cached.Dkeys.TryGetValue(dkey, out DkeyState? inMemory) && !Same(inMemory, fresh))
                {
                    throw Corrupt(dkeyNode, $"object {oid}: the cached dkey differs from its subtree");
                }
            }

            if (cached is not null)
            {
                foreach ((byte[] dkey, DkeyState d) in cached.Dkeys)
                {
                    if (!d.IsEmpty && !dkeyTree.Contains(dkey))
                    {
                        throw Corrupt(objectNode, $"object {oid}: a cached dkey holds records its dkey tree does not have");
                    }
                }
            }
        }

        long prepared = 0;
        foreach (List<long> records in _prepared.Values)
        {
            foreach (long at in records)
            {
                Claim(seen, at);
                prepared++;
            }
        }

        if (seen.Count != RecordCount)
        {
            throw Corrupt(ContainerRecord, $"the container counts {RecordCount} records, its trees and prepared list hold {seen.Count}");
        }

        return new TreeReport(objects, dkeys, akeys, seen.Count - prepared, prepared);
    }

    private void VerifyDkeyTrees(ObjectId oid, long dkeyNode)
    {
        VersionTree(dkeyNode + RecordFormat.DkeyNodeIlogAt).Verify();
        BplusTree akeyTree = AkeyTree(dkeyNode, oid);
        akeyTree.Verify();
        BplusTree.Cursor cursor = akeyTree.OpenCursor();
        for (bool more = cursor.SeekFirst(); more; more = cursor.MoveNext())
        {
            long akeyNode = CheckKeyNode(_heap, ReadOffset(cursor.Value), akey: true);
            VersionTree(akeyNode + RecordFormat.AkeyNodeIlogAt).Verify();
            long valuesAt = akeyNode + RecordFormat.AkeyNodeValuesAt;
            switch (_heap.Read<byte>(akeyNode + RecordFormat.AkeyNodeKindAt))
            {
                case RecordFormat.AkeyValuesSingle:
                    VersionTree(valuesAt).Verify();
                    break;
                case RecordFormat.AkeyValuesArray:
                    ExtentTree.Open(_heap, valuesAt).Tree.Verify();
                    break;
            }
        }
    }

    private void ClaimAll(HashSet<long> seen, DkeyState d)
    {
        for (int i = 0; i < d.Log.PunchCount; i++)
        {
            Claim(seen, d.Log.PunchRecordAt(i));
        }

        foreach (AkeyState a in d.Akeys.Values)
        {
            for (int i = 0; i < a.Log.PunchCount; i++)
            {
                Claim(seen, a.Log.PunchRecordAt(i));
            }

            foreach (SingleVersion v in a.Singles)
            {
                Claim(seen, v.Record);
            }

            foreach (ExtentEntry e in a.Extents)
            {
                Claim(seen, e.Source);
            }
        }
    }

    private void Claim(HashSet<long> seen, long record)
    {
        if (!seen.Add(record))
        {
            throw Corrupt(record, "the record is named twice by the trees or the prepared list");
        }
    }

    private static bool Same(DkeyState cached, DkeyState fresh)
    {
        if (!cached.Log.SameAs(fresh.Log) || cached.Akeys.Count != fresh.Akeys.Count)
        {
            return false;
        }

        foreach ((byte[] akey, AkeyState f) in fresh.Akeys)
        {
            if (!cached.Akeys.TryGetValue(akey, out AkeyState? c) || !c.Log.SameAs(f.Log) || c.RecordSize != f.RecordSize
                || !c.Singles.SequenceEqual(f.Singles) || c.Extents.Count != f.Extents.Count
                || !new HashSet<ExtentEntry>(c.Extents).SetEquals(f.Extents))
            {
                return false;
            }
        }

        return true;
    }
}
