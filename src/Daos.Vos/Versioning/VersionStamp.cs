namespace Daos.Vos.Versioning;

/// <summary>
/// The version of one write: its epoch and a minor epoch that orders several writes of one transaction made at the
/// same epoch (DAOS's <c>minor_epc</c>). Ordered by epoch, then minor.
/// </summary>
/// <param name="Epoch">The epoch of the write.</param>
/// <param name="Minor">The order of the write among writes at the same epoch.</param>
internal readonly record struct VersionStamp(ulong Epoch, ushort Minor) : IComparable<VersionStamp>
{
    /// <summary>Below every real write.</summary>
    public static VersionStamp Zero => default;

    /// <summary>The newest stamp a read at <paramref name="epoch"/> can see: every minor of that epoch.</summary>
    public static VersionStamp ReadBound(ulong epoch) => new(epoch, ushort.MaxValue);

    public int CompareTo(VersionStamp other)
    {
        int c = Epoch.CompareTo(other.Epoch);
        return c != 0 ? c : Minor.CompareTo(other.Minor);
    }

    public static bool operator <(VersionStamp left, VersionStamp right) => left.CompareTo(right) < 0;

    public static bool operator >(VersionStamp left, VersionStamp right) => left.CompareTo(right) > 0;

    public static bool operator <=(VersionStamp left, VersionStamp right) => left.CompareTo(right) <= 0;

    public static bool operator >=(VersionStamp left, VersionStamp right) => left.CompareTo(right) >= 0;

    public override string ToString() => Minor == 0 ? Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Epoch}.{Minor}");
}
