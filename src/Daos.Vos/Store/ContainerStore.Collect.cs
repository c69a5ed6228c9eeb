using Daos.Vos.Bio;
using Daos.Vos.Btree;
using Daos.Vos.Evtree;
using Daos.Vos.Umem;

namespace Daos.Vos.Store;

/// <summary>
/// Garbage collection of a destroyed container: its trees are taken down from the left in bounded slices, each one
/// heap transaction, so a container of any size never makes one huge transaction and a crash between slices
/// resumes where the last committed slice stopped.
/// </summary>
internal sealed partial class ContainerStore
{
    /// <summary>What one slice has freed so far and what it may still free.</summary>
    private sealed class CollectBudget(UmemHeap heap, BlobStore blob, int records)
    {
        /// <summary>
        /// What taking one node out of its parent tree costs against the record budget: the delete rewrites a tree
        /// node (up to about 1 KiB of redo for the object index), which is several records' worth of redo.
        /// </summary>
        public const int KeyNodeCost = 2, ObjectNodeCost = 4;

        public UmemHeap Heap { get; } = heap;

        public BlobStore Blob { get; } = blob;

        public int Left { get; set; } = records;
    }

    private static readonly BtreeValueRelease ReleaseOffsetRecord = static (tx, value, state) =>
        ReleaseRecord(tx, (CollectBudget)state!, ReadOffset(value));

    private static readonly BtreeValueRelease ReleaseExtentRecord = static (tx, value, state) =>
        ReleaseRecord(tx, (CollectBudget)state!, ReadOffset(value[8..]));

    private static void ReleaseRecord(UmemTransaction tx, CollectBudget budget, long at)
    {
        if (at < UmemHeap.RootOffset || at > budget.Heap.SizeBytes - RecordFormat.HeaderBytes || at % 8 != 0
            || budget.Heap.Read<uint>(at) != RecordFormat.RecordMagic)
        {
            throw new DaosException(DaosError.Corrupted, $"a destroyed container's tree names a damaged record at heap offset {at}");
        }

        FreeRecord(budget.Heap, budget.Blob, tx, at);
        budget.Left--;
    }

    /// <summary>
    /// Frees up to about <paramref name="maxRecords"/> records of a destroyed container (one GC slice): its prepared
    /// list first, then object by object in id order, each object's dkeys in key order, each dkey's akeys, each
    /// akey's value tree and log, freeing every node as it empties. True when nothing is left.
    /// </summary>
    public static bool FreeSlice(UmemHeap heap, BlobStore blob, UmemTransaction tx, long containerRecord, int maxRecords)
    {
        var budget = new CollectBudget(heap, blob, maxRecords);
        long preparedField = containerRecord + RecordFormat.ContainerPreparedAt;
        long at = heap.Read<long>(preparedField);
        for (; budget.Left > 0 && at != 0; budget.Left--)
        {
            long next = heap.Read<long>(at + RecordFormat.NextAt);
            FreeRecord(heap, blob, tx, at);
            at = next;
        }

        tx.Write(preparedField, at);
        if (at != 0)
        {
            tx.Write(at + RecordFormat.PrevAt, 0L);
            return false;
        }

        BplusTree index = BplusTree.Open(heap, containerRecord + RecordFormat.ContainerObjectIndexAt);
        Span<byte> key = stackalloc byte[16];
        while (budget.Left > 0)
        {
            BplusTree.Cursor cursor = index.OpenCursor();
            if (!cursor.SeekFirst())
            {
                return true;
            }

            ObjectId oid = KeyOid(cursor.Key);
            long node = ReadOffset(cursor.Value);
            CheckObjectNode(heap, node, oid);
            if (CollectObject(tx, budget, node, oid))
            {
                index.Delete(tx, OidKey(oid, key));
                tx.Free(node);
                budget.Left -= CollectBudget.ObjectNodeCost;
            }
        }

        return index.IsEmpty;
    }

    /// <summary>Frees what the slice's budget allows below an object node; true when the node is empty.</summary>
    private static bool CollectObject(UmemTransaction tx, CollectBudget budget, long node, ObjectId oid)
    {
        BplusTree dkeys = OpenTree(budget.Heap, node + RecordFormat.ObjectNodeDkeysAt, DkeyClass(oid.Type), null);
        while (budget.Left > 0)
        {
            BplusTree.Cursor cursor = dkeys.OpenCursor();
            if (!cursor.SeekFirst())
            {
                break;
            }

            byte[] dkey = cursor.Key.ToArray();
            long dkeyNode = CheckKeyNode(budget.Heap, ReadOffset(cursor.Value), akey: false);
            if (CollectDkey(tx, budget, dkeyNode, oid))
            {
                dkeys.Delete(tx, dkey);
                tx.Free(dkeyNode);
                budget.Left -= CollectBudget.KeyNodeCost;
            }
        }

        return dkeys.IsEmpty && CollectRecords(tx, budget, node + RecordFormat.ObjectNodeIlogAt, extents: false);
    }

    private static bool CollectDkey(UmemTransaction tx, CollectBudget budget, long node, ObjectId oid)
    {
        BplusTree akeys = OpenTree(budget.Heap, node + RecordFormat.DkeyNodeAkeysAt, AkeyClass(oid.Type), null);
        while (budget.Left > 0)
        {
            BplusTree.Cursor cursor = akeys.OpenCursor();
            if (!cursor.SeekFirst())
            {
                break;
            }

            byte[] akey = cursor.Key.ToArray();
            long akeyNode = CheckKeyNode(budget.Heap, ReadOffset(cursor.Value), akey: true);
            byte kind = budget.Heap.Read<byte>(akeyNode + RecordFormat.AkeyNodeKindAt);
            bool valuesDone = kind == RecordFormat.AkeyValuesNone
                || CollectRecords(tx, budget, akeyNode + RecordFormat.AkeyNodeValuesAt, extents: kind == RecordFormat.AkeyValuesArray);
            if (valuesDone && budget.Left > 0 && CollectRecords(tx, budget, akeyNode + RecordFormat.AkeyNodeIlogAt, extents: false))
            {
                akeys.Delete(tx, akey);
                tx.Free(akeyNode);
                budget.Left -= CollectBudget.KeyNodeCost;
            }
        }

        return akeys.IsEmpty && CollectRecords(tx, budget, node + RecordFormat.DkeyNodeIlogAt, extents: false);
    }

    /// <summary>Destroys (part of) a log or value tree, freeing the records it names; true when it is empty.</summary>
    private static bool CollectRecords(UmemTransaction tx, CollectBudget budget, long rootAt, bool extents)
    {
        BplusTree tree = extents
            ? ExtentTree.Open(budget.Heap, rootAt).Tree
            : OpenTree(budget.Heap, rootAt, BtreeKeyClass.Pair64, null);
        if (tree.IsEmpty)
        {
            return true;
        }

        int before = budget.Left;
        bool done = tree.DestroySlice(tx, Math.Max(1, budget.Left / tree.Order), extents ? ReleaseExtentRecord : ReleaseOffsetRecord, budget);
        if (budget.Left == before)
        {
            budget.Left--; // an emptied leaf with nothing left to name still costs a step, so a slice always ends
        }

        return done;
    }
}
