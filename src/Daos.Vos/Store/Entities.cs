using Daos.Vos.Evtree;
using Daos.Vos.Versioning;

namespace Daos.Vos.Store;

/// <summary>One version of a single value: its stamp and the record holding it.</summary>
internal readonly record struct SingleVersion(VersionStamp Version, long Record) : IComparable<SingleVersion>
{
    public int CompareTo(SingleVersion other) => Version.CompareTo(other.Version);
}

/// <summary>What an akey holds: nothing yet, single values, or array records.</summary>
internal enum AkeyValueKind : byte
{
    Empty,
    Single,
    Array,
}

/// <summary>An akey in memory: its incarnation log, its single-value versions (sorted) or its extent entries.</summary>
internal sealed class AkeyState
{
    public Incarnations Log { get; } = new();

    public List<SingleVersion> Singles { get; } = [];

    public List<ExtentEntry> Extents { get; } = [];

    /// <summary>Record size of the array's non-hole entries (0 until the first one).</summary>
    public int RecordSize { get; set; }

    public AkeyValueKind Kind => Singles.Count > 0 ? AkeyValueKind.Single
        : Extents.Count > 0 ? AkeyValueKind.Array : AkeyValueKind.Empty;

    public bool IsEmpty => Log.IsEmpty && Singles.Count == 0 && Extents.Count == 0;
}

/// <summary>
/// A dkey in memory, read whole from its dkey node when an operation first touches it: its incarnation log, its
/// akeys in the object type's key order, and the highest minor epoch used per epoch by its records.
/// </summary>
internal sealed class DkeyState(IComparer<byte[]> akeyOrder)
{
    public Incarnations Log { get; } = new();

    /// <summary>Highest minor epoch used per epoch by this dkey's records (prepared ones included).</summary>
    public Dictionary<ulong, ushort> Minors { get; } = [];

    public SortedDictionary<byte[], AkeyState> Akeys { get; } = new(akeyOrder);

    public bool IsEmpty => Log.IsEmpty && Akeys.Count == 0;
}

/// <summary>
/// An object in memory: its incarnation log, and those of its dkeys that operations have touched (each one whole),
/// in the object type's key order. <see cref="AllDkeysLoaded"/> says whether every dkey of the object is there.
/// </summary>
internal sealed class ObjectState(IComparer<byte[]> dkeyOrder, ObjectId oid)
{
    public ObjectId Oid { get; } = oid;

    /// <summary>This object's place in its container's least-recently-used order.</summary>
    public LinkedListNode<ObjectId> LruNode { get; } = new(oid);

    /// <summary>
    /// Highest minor epoch used per epoch by the object's own records (object punches, prepared ones included).
    /// A change to a dkey takes a minor above both this and the dkey's; an object punch one above every dkey's.
    /// </summary>
    public Dictionary<ulong, ushort> Minors { get; } = [];

    public Incarnations Log { get; } = new();

    /// <summary>The dkeys read so far (a dkey absent from the heap is held as an empty state once looked up).</summary>
    public SortedDictionary<byte[], DkeyState> Dkeys { get; } = new(dkeyOrder);

    /// <summary>True once every dkey in the object's dkey tree has been read into <see cref="Dkeys"/>.</summary>
    public bool AllDkeysLoaded { get; set; }
}
