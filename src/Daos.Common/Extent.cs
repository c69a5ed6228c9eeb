namespace Daos;

/// <summary>A range of array records <c>[Index, Index + Count)</c> (DAOS's <c>daos_recx_t</c>).</summary>
/// <param name="Index">The first record.</param>
/// <param name="Count">How many records.</param>
public readonly record struct Extent(long Index, long Count)
{
    /// <summary>One past the last record.</summary>
    public long End => Index + Count;

    /// <summary>True when the extent is well formed: non-negative index, positive count, no overflow.</summary>
    public bool IsValid => Index >= 0 && Count > 0 && Index <= long.MaxValue - Count;

    /// <summary>True when the two extents share at least one record.</summary>
    public bool Overlaps(Extent other) => Index < other.End && other.Index < End;

    /// <summary>True when <paramref name="other"/> lies entirely inside this extent.</summary>
    public bool Contains(Extent other) => other.Index >= Index && other.End <= End;

    /// <summary>Throws unless <see cref="IsValid"/>.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> naming the extent.</exception>
    public void Validate()
    {
        if (!IsValid)
        {
            throw new DaosException(DaosError.InvalidArgument,
                $"invalid extent [{Index}, +{Count}): index must be >= 0, count > 0 and the end must fit in 64 bits");
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"[{Index}, {End})";
}
