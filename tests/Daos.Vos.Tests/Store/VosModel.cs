namespace Daos.Vos.Tests.Store;

/// <summary>
/// The naive model of a container: the whole history of operations, replayed for every question. Operations at one
/// epoch are ordered by their sequence (the order they were made), as the store orders them by minor epoch.
/// </summary>
internal sealed class VosModel
{
    public enum Kind { Single, Extent, Hole, PunchObject, PunchDkey, PunchAkey }

    public sealed record Op(Kind Kind, long Seq, ulong Epoch, ObjectId Oid, byte[]? Dkey, byte[]? Akey, byte[]? Value,
        long Index = 0, long Count = 0, int RecordSize = 0);

    private readonly List<Op> _ops = [];
    private long _seq;

    /// <summary>Reads below this epoch are no longer defined (aggregation merged what they saw).</summary>
    public ulong Floor { get; private set; }

    public void Add(Kind kind, ulong epoch, ObjectId oid, byte[]? dkey, byte[]? akey, byte[]? value = null,
        long index = 0, long count = 0, int recordSize = 0) =>
        _ops.Add(new Op(kind, ++_seq, epoch, oid, dkey, akey, value, index, count, recordSize));

    public void Aggregate(ulong upTo) => Floor = Math.Max(Floor, upTo);

    public void Discard(ulong from, ulong to) => _ops.RemoveAll(o => o.Epoch >= from && o.Epoch <= to);

    private static bool Eq(byte[]? a, byte[]? b) => a is not null && b is not null && a.AsSpan().SequenceEqual(b);

    private static int Compare(Op a, Op b) => a.Epoch != b.Epoch ? a.Epoch.CompareTo(b.Epoch) : a.Seq.CompareTo(b.Seq);

    /// <summary>The newest punch at or below <paramref name="epoch"/> hiding the akey (or the dkey when akey is null, or the object).</summary>
    private Op? Punch(ObjectId oid, byte[]? dkey, byte[]? akey, ulong epoch)
    {
        Op? best = null;
        foreach (Op o in _ops)
        {
            if (o.Epoch > epoch || o.Oid != oid)
            {
                continue;
            }

            bool hides = o.Kind == Kind.PunchObject
                || (o.Kind == Kind.PunchDkey && dkey is not null && Eq(o.Dkey, dkey))
                || (o.Kind == Kind.PunchAkey && akey is not null && Eq(o.Dkey, dkey) && Eq(o.Akey, akey));
            if (hides && (best is null || Compare(o, best) > 0))
            {
                best = o;
            }
        }

        return best;
    }

    private static bool Above(Op o, Op? punch) => punch is null || Compare(o, punch) > 0;

    private static bool IsWrite(Op o) => o.Kind is Kind.Single or Kind.Extent or Kind.Hole;

    public byte[]? Fetch(ObjectId oid, ulong epoch, byte[] dkey, byte[] akey)
    {
        Op? punch = Punch(oid, dkey, akey, epoch);
        Op? best = null;
        foreach (Op o in _ops)
        {
            if (o.Kind == Kind.Single && o.Oid == oid && o.Epoch <= epoch && Eq(o.Dkey, dkey) && Eq(o.Akey, akey)
                && Above(o, punch) && (best is null || Compare(o, best) > 0))
            {
                best = o;
            }
        }

        return best?.Value;
    }

    /// <summary>For each record of the range: the op whose data it reads (null: nothing, or a hole).</summary>
    public Op?[] Records(ObjectId oid, ulong epoch, byte[] dkey, byte[] akey, long index, int count)
    {
        Op? punch = Punch(oid, dkey, akey, epoch);
        var result = new Op?[count];
        var best = new Op?[count];
        foreach (Op o in _ops)
        {
            if (o.Kind is not (Kind.Extent or Kind.Hole) || o.Oid != oid || o.Epoch > epoch || !Eq(o.Dkey, dkey)
                || !Eq(o.Akey, akey) || !Above(o, punch))
            {
                continue;
            }

            for (long r = Math.Max(index, o.Index); r < Math.Min(index + count, o.Index + o.Count); r++)
            {
                Op? current = best[r - index];
                if (current is null || Compare(o, current) > 0)
                {
                    best[r - index] = o;
                }
            }
        }

        for (int i = 0; i < count; i++)
        {
            result[i] = best[i] is { Kind: Kind.Extent } ? best[i] : null;
        }

        return result;
    }

    /// <summary>An object exists when one of its akeys does (a write above every punch hiding it).</summary>
    public bool ObjectExists(ObjectId oid, ulong epoch) =>
        _ops.Exists(o => IsWrite(o) && o.Oid == oid && o.Epoch <= epoch && Above(o, Punch(oid, o.Dkey, o.Akey, epoch)));

    /// <summary>A dkey exists when one of its akeys does.</summary>
    public bool DkeyExists(ObjectId oid, ulong epoch, byte[] dkey) =>
        _ops.Exists(o => IsWrite(o) && o.Oid == oid && o.Epoch <= epoch && Eq(o.Dkey, dkey) && Above(o, Punch(oid, dkey, o.Akey, epoch)));

    /// <summary>True when the history (as discards left it) holds a write to the akey.</summary>
    public bool HasWrites(ObjectId oid, byte[] dkey, byte[] akey) =>
        _ops.Exists(o => IsWrite(o) && o.Oid == oid && Eq(o.Dkey, dkey) && Eq(o.Akey, akey));

    /// <summary>True when the history (as discards left it) holds a punch of the akey itself.</summary>
    public bool HasPunches(ObjectId oid, byte[] dkey, byte[] akey) =>
        _ops.Exists(o => o.Kind == Kind.PunchAkey && o.Oid == oid && Eq(o.Dkey, dkey) && Eq(o.Akey, akey));

    public bool AkeyExists(ObjectId oid, ulong epoch, byte[] dkey, byte[] akey)
    {
        Op? punch = Punch(oid, dkey, akey, epoch);
        return _ops.Exists(o => IsWrite(o) && o.Oid == oid && o.Epoch <= epoch && Eq(o.Dkey, dkey) && Eq(o.Akey, akey) && Above(o, punch));
    }
}
