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

/// <summary>A dkey in memory: its incarnation log and its akeys in the object type's key order.</summary>
internal sealed class DkeyState(IComparer<byte[]> akeyOrder)
{
    public Incarnations Log { get; } = new();

    public SortedDictionary<byte[], AkeyState> Akeys { get; } = new(akeyOrder);

    public bool IsEmpty => Log.IsEmpty && Akeys.Count == 0;
}

/// <summary>An object in memory: its incarnation log and its dkeys in the object type's key order.</summary>
internal sealed class ObjectState(IComparer<byte[]> dkeyOrder, ObjectId oid)
{
    public ObjectId Oid { get; } = oid;

    /// <summary>This object's place in its container's least-recently-used order.</summary>
    public LinkedListNode<ObjectId> LruNode { get; } = new(oid);

    /// <summary>Highest minor epoch used per epoch by this object's records (prepared ones included).</summary>
    public Dictionary<ulong, ushort> Minors { get; } = [];

    public Incarnations Log { get; } = new();

    public SortedDictionary<byte[], DkeyState> Dkeys { get; } = new(dkeyOrder);

    public bool IsEmpty => Log.IsEmpty && Dkeys.Count == 0;
}
