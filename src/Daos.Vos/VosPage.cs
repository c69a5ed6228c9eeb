namespace Daos.Vos;

/// <summary>One page of an enumeration: its items and the anchor to pass back for the next page.</summary>
/// <typeparam name="T">What is listed.</typeparam>
public sealed class VosPage<T>
{
    internal VosPage(IReadOnlyList<T> items, VosAnchor next)
    {
        Items = items;
        Next = next;
    }

    /// <summary>The items of this page, in the enumeration's order (possibly none).</summary>
    public IReadOnlyList<T> Items { get; }

    /// <summary>Where the next page starts: after the last item of this one, or the end.</summary>
    public VosAnchor Next { get; }

    /// <summary>True when nothing follows this page (<see cref="Next"/> is an end anchor).</summary>
    public bool IsEnd => Next.IsEnd;
}
