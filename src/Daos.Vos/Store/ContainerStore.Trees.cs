using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Daos.Vos.Btree;
using Daos.Vos.Evtree;
using Daos.Vos.Umem;
using Daos.Vos.Versioning;

namespace Daos.Vos.Store;

/// <summary>
/// The container's persistent trees (format 3, docs/formats/vos.md): the object index (object id → object node);
/// per object an incarnation log tree and a dkey tree (dkey → dkey node); per dkey an incarnation log tree and an
/// akey tree (akey → akey node); per akey an incarnation log tree and either a single-value tree keyed by (epoch,
/// minor) or an extent tree. Log and value trees point at VOS records. Every change here runs inside the caller's
/// heap transaction together with the record it indexes; a node lives exactly as long as something below it does.
/// </summary>
internal sealed partial class ContainerStore
{
    private BplusTree? _objectIndex;

    /// <summary>Tree nodes read below the object index since the container was opened (loads and listings).</summary>
    private readonly StrongBox<long> _nodeReads = new();

    /// <summary>Objects whose state is held in memory now.</summary>
    public int CachedObjectCount => _objects.Count;

    /// <summary>Records read from the heap trees since the container was opened (each load counts its records).</summary>
    public long RecordsLoaded { get; private set; }

    /// <summary>Object states loaded from the heap since the container was opened.</summary>
    public long ObjectsLoaded { get; private set; }

    /// <summary>Dkeys read from the heap (each whole: its log, akeys, values) since the container was opened.</summary>
    public long DkeysLoaded { get; private set; }

    /// <summary>B+tree nodes read below the object index (dkey, akey, log and value trees) since the container was opened.</summary>
    public long TreeNodesRead => _nodeReads.Value;

    private BplusTree ObjectIndex => _objectIndex ??= BplusTree.Open(_heap, ContainerRecord + RecordFormat.ContainerObjectIndexAt);

    /// <summary>Writes the empty object index of a new container record at <paramref name="containerRecord"/>.</summary>
    public static void CreateIndex(UmemTransaction tx, long containerRecord) =>
        BplusTree.Create(tx, containerRecord + RecordFormat.ContainerObjectIndexAt, BtreeKeyClass.Pair64, BtreeFormat.OrderDefault,
            RecordFormat.ContainerObjectIndexValueBytes);

    // ---------------------------------------------------------------- keys and tree shapes

    private static BtreeKeyClass DkeyClass(ObjectType type) =>
        type.HasUInt64Dkeys() ? BtreeKeyClass.UInt64 : type.HasLexicalDkeys() ? BtreeKeyClass.Lexical : BtreeKeyClass.Hashed;

    private static BtreeKeyClass AkeyClass(ObjectType type) =>
        type.HasUInt64Akeys() ? BtreeKeyClass.UInt64 : type.HasLexicalAkeys() ? BtreeKeyClass.Lexical : BtreeKeyClass.Hashed;

    private static ReadOnlySpan<byte> OidKey(ObjectId oid, Span<byte> key)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(key, oid.Hi);
        BinaryPrimitives.WriteUInt64LittleEndian(key[8..], oid.Lo);
        return key;
    }

    private static ObjectId KeyOid(ReadOnlySpan<byte> key) =>
        new(BinaryPrimitives.ReadUInt64LittleEndian(key), BinaryPrimitives.ReadUInt64LittleEndian(key[8..]));

    /// <summary>The key of log and single-value trees: (epoch, minor) as two little-endian words.</summary>
    private static ReadOnlySpan<byte> VersionKey(VersionStamp version, Span<byte> key)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(key, version.Epoch);
        BinaryPrimitives.WriteUInt64LittleEndian(key[8..], version.Minor);
        return key;
    }

    private static VersionStamp KeyVersion(ReadOnlySpan<byte> key, long rootAt)
    {
        ulong minor = BinaryPrimitives.ReadUInt64LittleEndian(key[8..]);
        if (minor is 0 or > ushort.MaxValue)
        {
            throw new DaosException(DaosError.Corrupted, $"the version tree rooted at heap offset {rootAt} holds minor epoch {minor}");
        }

        return new VersionStamp(BinaryPrimitives.ReadUInt64LittleEndian(key), (ushort)minor);
    }

    /// <summary>Opens a tree below the object index and checks its shape is the one its place calls for.</summary>
    private static BplusTree OpenTree(UmemHeap heap, long rootAt, BtreeKeyClass keyClass, StrongBox<long>? nodeReads)
    {
        BplusTree tree = BplusTree.Open(heap, rootAt, nodeReads);
        if (tree.KeyClass != keyClass || tree.ValueBytes != 8 || (tree.Features & BtreeFeatures.MaxEnd) != 0)
        {
            throw new DaosException(DaosError.Corrupted,
                $"the tree rooted at heap offset {rootAt} is a {tree.KeyClass} tree of {tree.ValueBytes}-byte values, not a {keyClass} tree of offsets");
        }

        return tree;
    }

    private BplusTree VersionTree(long rootAt) => OpenTree(_heap, rootAt, BtreeKeyClass.Pair64, _nodeReads);

    private BplusTree DkeyTree(long objectNode, ObjectId oid) =>
        OpenTree(_heap, objectNode + RecordFormat.ObjectNodeDkeysAt, DkeyClass(oid.Type), _nodeReads);

    private BplusTree AkeyTree(long dkeyNode, ObjectId oid) =>
        OpenTree(_heap, dkeyNode + RecordFormat.DkeyNodeAkeysAt, AkeyClass(oid.Type), _nodeReads);

    private static long ReadOffset(ReadOnlySpan<byte> value) => BinaryPrimitives.ReadInt64LittleEndian(value);

    // ---------------------------------------------------------------- nodes

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

        long node = ReadOffset(value);
        CheckObjectNode(heap, node, oid);
        return node;
    }

    private static void CheckObjectNode(UmemHeap heap, long node, ObjectId oid)
    {
        if (!NodeFits(heap, node, RecordFormat.ObjectNodeBytes) || heap.Read<uint>(node) != RecordFormat.ObjectNodeMagic
            || heap.Read<ulong>(node + RecordFormat.ObjectNodeOidHiAt) != oid.Hi
            || heap.Read<ulong>(node + RecordFormat.ObjectNodeOidLoAt) != oid.Lo)
        {
            throw new DaosException(DaosError.Corrupted, $"the object node of {oid} at heap offset {node} is damaged");
        }
    }

    private static bool NodeFits(UmemHeap heap, long node, int bytes) =>
        node >= UmemHeap.RootOffset && node <= heap.SizeBytes - bytes && node % 8 == 0;

    /// <summary>Checks a dkey or akey node's place and magic (and an akey node's value kind).</summary>
    private static long CheckKeyNode(UmemHeap heap, long node, bool akey)
    {
        int bytes = akey ? RecordFormat.AkeyNodeBytes : RecordFormat.DkeyNodeBytes;
        uint magic = akey ? RecordFormat.AkeyNodeMagic : RecordFormat.DkeyNodeMagic;
        if (!NodeFits(heap, node, bytes) || heap.Read<uint>(node) != magic
            || (akey && heap.Read<byte>(node + RecordFormat.AkeyNodeKindAt) > RecordFormat.AkeyValuesArray))
        {
            throw new DaosException(DaosError.Corrupted, $"the {(akey ? "akey" : "dkey")} node at heap offset {node} is damaged");
        }

        return node;
    }

    /// <summary>The node a dkey or akey tree maps <paramref name="key"/> to (checked), or 0.</summary>
    private long FindKeyNode(BplusTree tree, ReadOnlySpan<byte> key, bool akey)
    {
        Span<byte> value = stackalloc byte[8];
        return tree.TryGet(key, value) ? CheckKeyNode(_heap, ReadOffset(value), akey) : 0;
    }

    /// <summary>The object node of <paramref name="oid"/>, created (with empty log and dkey trees) and indexed when absent.</summary>
    private long ObjectNodeFor(UmemTransaction tx, ObjectId oid)
    {
        long node = FindObjectNode(oid);
        if (node != 0)
        {
            return node;
        }

        node = tx.AllocateZeroed(RecordFormat.ObjectNodeBytes);
        tx.Write(node, RecordFormat.ObjectNodeMagic);
        tx.Write(node + RecordFormat.ObjectNodeOidHiAt, oid.Hi);
        tx.Write(node + RecordFormat.ObjectNodeOidLoAt, oid.Lo);
        CreateLogTree(tx, node + RecordFormat.ObjectNodeIlogAt);
        BplusTree.Create(tx, node + RecordFormat.ObjectNodeDkeysAt, DkeyClass(oid.Type), RecordFormat.DkeyTreeOrder, 8, BtreeFeatures.EmbedFirst);
        Span<byte> key = stackalloc byte[16];
        Span<byte> value = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(value, node);
        ObjectIndex.Insert(tx, OidKey(oid, key), value, overwrite: false);
        return node;
    }

    /// <summary>The node <paramref name="tree"/> maps <paramref name="key"/> to, created (empty) and inserted when absent.</summary>
    private long KeyNodeFor(UmemTransaction tx, BplusTree tree, ReadOnlySpan<byte> key, bool akey, ObjectId oid)
    {
        long node = FindKeyNode(tree, key, akey);
        if (node != 0)
        {
            return node;
        }

        if (akey)
        {
            node = tx.AllocateZeroed(RecordFormat.AkeyNodeBytes);
            tx.Write(node, RecordFormat.AkeyNodeMagic);
            CreateLogTree(tx, node + RecordFormat.AkeyNodeIlogAt);
        }
        else
        {
            node = tx.AllocateZeroed(RecordFormat.DkeyNodeBytes);
            tx.Write(node, RecordFormat.DkeyNodeMagic);
            CreateLogTree(tx, node + RecordFormat.DkeyNodeIlogAt);
            BplusTree.Create(tx, node + RecordFormat.DkeyNodeAkeysAt, AkeyClass(oid.Type), RecordFormat.AkeyTreeOrder, 8, BtreeFeatures.EmbedFirst);
        }

        Span<byte> value = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(value, node);
        tree.Insert(tx, key, value, overwrite: false);
        return node;
    }

    private static void CreateLogTree(UmemTransaction tx, long rootAt) =>
        BplusTree.Create(tx, rootAt, BtreeKeyClass.Pair64, RecordFormat.IlogTreeOrder, 8, BtreeFeatures.EmbedFirst);

    // ---------------------------------------------------------------- indexing records (inside a transaction)

    /// <summary>
    /// Puts committed record <paramref name="at"/> into its place in the trees, creating the object, dkey and akey
    /// nodes (and the akey's value tree) it needs: punches into the incarnation log of what they punch, single
    /// values into the akey's (epoch, minor) tree, array writes and holes into its extent tree.
    /// </summary>
    private void IndexRecord(UmemTransaction tx, long at)
    {
        Decoded d = Decode(at);
        long objectNode = ObjectNodeFor(tx, d.Oid);
        if (d.Kind == RecordKind.ObjectPunch)
        {
            InsertVersion(tx, objectNode + RecordFormat.ObjectNodeIlogAt, d.Version, at);
            return;
        }

        long dkeyNode = KeyNodeFor(tx, DkeyTree(objectNode, d.Oid), d.Dkey, akey: false, d.Oid);
        if (d.Kind == RecordKind.DkeyPunch)
        {
            InsertVersion(tx, dkeyNode + RecordFormat.DkeyNodeIlogAt, d.Version, at);
            return;
        }

        long akeyNode = KeyNodeFor(tx, AkeyTree(dkeyNode, d.Oid), d.Akey, akey: true, d.Oid);
        long valuesAt = akeyNode + RecordFormat.AkeyNodeValuesAt;
        byte kind = _heap.Read<byte>(akeyNode + RecordFormat.AkeyNodeKindAt);
        switch (d.Kind)
        {
            case RecordKind.AkeyPunch:
                InsertVersion(tx, akeyNode + RecordFormat.AkeyNodeIlogAt, d.Version, at);
                break;
            case RecordKind.SingleValue:
                if (kind == RecordFormat.AkeyValuesNone)
                {
                    BplusTree.Create(tx, valuesAt, BtreeKeyClass.Pair64, RecordFormat.SingleTreeOrder, 8, BtreeFeatures.EmbedFirst);
                    tx.Write(akeyNode + RecordFormat.AkeyNodeKindAt, RecordFormat.AkeyValuesSingle);
                }
                else if (kind != RecordFormat.AkeyValuesSingle)
                {
                    throw Corrupt(at, "a single value belongs to an akey whose node holds an extent tree");
                }

                InsertVersion(tx, valuesAt, d.Version, at);
                break;
            default:
                ExtentTree extents;
                if (kind == RecordFormat.AkeyValuesNone)
                {
                    extents = ExtentTree.Create(tx, valuesAt, RecordFormat.ExtentTreeOrder);
                    tx.Write(akeyNode + RecordFormat.AkeyNodeKindAt, RecordFormat.AkeyValuesArray);
                }
                else if (kind != RecordFormat.AkeyValuesArray)
                {
                    throw Corrupt(at, "an array write belongs to an akey whose node holds a single-value tree");
                }
                else
                {
                    extents = ExtentTree.Open(_heap, valuesAt);
                }

                if (!extents.Insert(tx, new ExtentEntry(d.Index, d.Count, d.Version, d.IsHole, at)))
                {
                    throw Corrupt(at, "the extent tree already holds an entry at this index and version");
                }

                break;
        }
    }

    private void InsertVersion(UmemTransaction tx, long rootAt, VersionStamp version, long record)
    {
        Span<byte> key = stackalloc byte[16];
        Span<byte> value = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(value, record);
        if (VersionTree(rootAt).Insert(tx, VersionKey(version, key), value, overwrite: false) != BtreeInsertStatus.Inserted)
        {
            throw Corrupt(record, $"the tree rooted at heap offset {rootAt} already holds version {version}");
        }
    }

    /// <summary>
    /// Takes committed record <paramref name="d"/> out of its tree, and frees every node that leaves empty: an akey
    /// node whose log and value trees are empty, then a dkey node whose log and akey trees are, then the object node.
    /// </summary>
    private void UnindexRecord(UmemTransaction tx, in Decoded d)
    {
        long objectNode = FindObjectNode(d.Oid);
        if (objectNode == 0)
        {
            throw Corrupt(d.At, "the record's object is not in the object index");
        }

        Span<byte> key = stackalloc byte[16];
        long objectLog = objectNode + RecordFormat.ObjectNodeIlogAt;
        BplusTree dkeys = DkeyTree(objectNode, d.Oid);
        if (d.Kind == RecordKind.ObjectPunch)
        {
            DeleteVersion(tx, objectLog, d.Version, d.At);
        }
        else
        {
            long dkeyNode = FindKeyNode(dkeys, d.Dkey, akey: false);
            if (dkeyNode == 0)
            {
                throw Corrupt(d.At, "the record's dkey is not in its object's dkey tree");
            }

            long dkeyLog = dkeyNode + RecordFormat.DkeyNodeIlogAt;
            BplusTree akeys = AkeyTree(dkeyNode, d.Oid);
            if (d.Kind == RecordKind.DkeyPunch)
            {
                DeleteVersion(tx, dkeyLog, d.Version, d.At);
            }
            else
            {
                UnindexFromAkey(tx, d, akeys);
            }

            if (VersionTree(dkeyLog).IsEmpty && akeys.IsEmpty)
            {
                dkeys.Delete(tx, d.Dkey);
                tx.Free(dkeyNode);
            }
        }

        if (VersionTree(objectLog).IsEmpty && dkeys.IsEmpty)
        {
            ObjectIndex.Delete(tx, OidKey(d.Oid, key));
            tx.Free(objectNode);
        }
    }

    private void UnindexFromAkey(UmemTransaction tx, in Decoded d, BplusTree akeys)
    {
        long akeyNode = FindKeyNode(akeys, d.Akey, akey: true);
        if (akeyNode == 0)
        {
            throw Corrupt(d.At, "the record's akey is not in its dkey's akey tree");
        }

        long akeyLog = akeyNode + RecordFormat.AkeyNodeIlogAt;
        long valuesAt = akeyNode + RecordFormat.AkeyNodeValuesAt;
        byte kind = _heap.Read<byte>(akeyNode + RecordFormat.AkeyNodeKindAt);
        bool valuesEmpty;
        switch (d.Kind)
        {
            case RecordKind.AkeyPunch:
                DeleteVersion(tx, akeyLog, d.Version, d.At);
                valuesEmpty = kind == RecordFormat.AkeyValuesNone;
                break;
            case RecordKind.SingleValue when kind == RecordFormat.AkeyValuesSingle:
                DeleteVersion(tx, valuesAt, d.Version, d.At);
                valuesEmpty = VersionTree(valuesAt).IsEmpty;
                break;
            case RecordKind.ArrayExtent when kind == RecordFormat.AkeyValuesArray:
                ExtentTree extents = ExtentTree.Open(_heap, valuesAt);
                if (!extents.Remove(tx, d.Index, d.Version))
                {
                    throw Corrupt(d.At, "the record is not in its akey's extent tree");
                }

                valuesEmpty = extents.Tree.IsEmpty;
                break;
            default:
                throw Corrupt(d.At, "the record's kind does not match its akey node's value tree");
        }

        if (valuesEmpty && kind != RecordFormat.AkeyValuesNone)
        {
            tx.Write(akeyNode + RecordFormat.AkeyNodeKindAt, RecordFormat.AkeyValuesNone);
        }

        if (valuesEmpty && VersionTree(akeyLog).IsEmpty)
        {
            akeys.Delete(tx, d.Akey);
            tx.Free(akeyNode);
        }
    }

    private void DeleteVersion(UmemTransaction tx, long rootAt, VersionStamp version, long record)
    {
        Span<byte> key = stackalloc byte[16];
        Span<byte> value = stackalloc byte[8];
        if (!VersionTree(rootAt).Delete(tx, VersionKey(version, key), value) || ReadOffset(value) != record)
        {
            throw Corrupt(record, $"the tree rooted at heap offset {rootAt} does not hold the record at version {version}");
        }
    }

    // ---------------------------------------------------------------- the prepared list

    /// <summary>Puts prepared record <paramref name="at"/> at the head of the container's prepared list.</summary>
    private void LinkPrepared(UmemTransaction tx, long at)
    {
        long headField = ContainerRecord + RecordFormat.ContainerPreparedAt;
        long head = _heap.Read<long>(headField);
        tx.Write(at + RecordFormat.PrevAt, 0L);
        tx.Write(at + RecordFormat.NextAt, head);
        if (head != 0)
        {
            tx.Write(head + RecordFormat.PrevAt, at);
        }

        tx.Write(headField, at);
    }

    /// <summary>Takes prepared record <paramref name="at"/> off the prepared list (its links are cleared).</summary>
    private void DetachPrepared(UmemTransaction tx, long at)
    {
        long headField = ContainerRecord + RecordFormat.ContainerPreparedAt;
        long prev = _heap.Read<long>(at + RecordFormat.PrevAt);
        long next = _heap.Read<long>(at + RecordFormat.NextAt);
        tx.Write(prev != 0 ? prev + RecordFormat.NextAt : headField, next);
        if (next != 0)
        {
            tx.Write(next + RecordFormat.PrevAt, prev);
        }

        tx.Write(at + RecordFormat.PrevAt, 0L);
        tx.Write(at + RecordFormat.NextAt, 0L);
    }

    private void AddToRecordCount(UmemTransaction tx, long delta) =>
        tx.Write(ContainerRecord + RecordFormat.ContainerRecordCountAt,
            _heap.Read<long>(ContainerRecord + RecordFormat.ContainerRecordCountAt) + delta);
}
