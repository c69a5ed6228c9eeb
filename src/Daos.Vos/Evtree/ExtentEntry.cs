using Daos.Vos.Versioning;

namespace Daos.Vos.Evtree;

/// <summary>
/// One array write as the extent tree stores it: records <c>[Index, Index + Count)</c> written at
/// <see cref="Version"/>. A hole entry records a punch of those records (an update with record size 0): it is as
/// visible as a write, but reads as "no data".
/// </summary>
/// <param name="Index">First record.</param>
/// <param name="Count">Number of records (positive).</param>
/// <param name="Version">Epoch and minor epoch of the write.</param>
/// <param name="IsHole">True for a punch of the records.</param>
/// <param name="Source">The caller's handle for the stored data (an address or an index); carried through untouched.</param>
internal readonly record struct ExtentEntry(long Index, long Count, VersionStamp Version, bool IsHole, long Source)
{
    /// <summary>One past the last record.</summary>
    public long End => Index + Count;
}

/// <summary>
/// A piece of an <see cref="ExtentEntry"/> that a read at some epoch sees: records <c>[Index, Index + Count)</c>
/// come from the entry's records starting <see cref="OffsetInEntry"/> records past its start.
/// </summary>
/// <param name="Index">First visible record.</param>
/// <param name="Count">Number of visible records.</param>
/// <param name="Entry">The entry the records come from.</param>
/// <param name="OffsetInEntry">How many records of the entry lie before <paramref name="Index"/>.</param>
internal readonly record struct VisibleExtent(long Index, long Count, ExtentEntry Entry, long OffsetInEntry)
{
    /// <summary>One past the last record.</summary>
    public long End => Index + Count;

    /// <summary>True when the records read as a hole.</summary>
    public bool IsHole => Entry.IsHole;
}
