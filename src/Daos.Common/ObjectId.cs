using System.Globalization;

namespace Daos;

/// <summary>
/// A 128-bit object id laid out as DAOS lays it out: <c>Hi = type &lt;&lt; 56 | redundancy &lt;&lt; 48 |
/// groupCount &lt;&lt; 32 | userHi32</c>; <see cref="Lo"/> belongs to the application. The class and type are
/// therefore readable from the id alone, and placement needs nothing else.
/// </summary>
/// <param name="Hi">High 64 bits: type, class and 32 user bits.</param>
/// <param name="Lo">Low 64 bits, chosen by the application or allocated by the container.</param>
public readonly record struct ObjectId(ulong Hi, ulong Lo) : IComparable<ObjectId>, ISpanFormattable
{
    private const int TypeShift = 56;
    private const int RedundancyShift = 48;
    private const int GroupShift = 32;

    /// <summary>The object type from bits 56..63 of <see cref="Hi"/>.</summary>
    public ObjectType Type => (ObjectType)(Hi >> TypeShift);

    /// <summary>The object class from bits 32..55 of <see cref="Hi"/>.</summary>
    public ObjectClass Class
    {
        get
        {
            uint redundancy = (uint)(Hi >> RedundancyShift) & 0xFF;
            uint groups = (uint)(Hi >> GroupShift) & 0xFFFF;
            return redundancy == 0 && groups == 0 ? ObjectClass.Unknown : ObjectClass.FromId((redundancy << 24) | groups);
        }
    }

    /// <summary>The 32 user bits of <see cref="Hi"/>.</summary>
    public uint HiUser => (uint)Hi;

    /// <summary>Builds an id from its parts with DAOS's bit layout.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> for an undefined type or the unknown class.</exception>
    public static ObjectId Create(ObjectType type, ObjectClass objectClass, ulong lo, uint hiUser = 0)
    {
        if (!type.IsDefined())
        {
            throw new DaosException(DaosError.InvalidArgument, $"undefined object type {(int)type}");
        }

        if (objectClass.IsUnknown)
        {
            throw new DaosException(DaosError.InvalidArgument,
                "an object id needs a concrete object class; resolve the container default first");
        }

        ulong hi = ((ulong)type << TypeShift)
            | ((ulong)objectClass.RedundancyCode << RedundancyShift)
            | ((ulong)(uint)objectClass.GroupCount << GroupShift)
            | hiUser;
        return new ObjectId(hi, lo);
    }

    /// <summary>Parses <c>hi.lo</c> with both halves in hexadecimal, as <see cref="ToString()"/> prints them.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> for malformed text or an invalid class.</exception>
    public static ObjectId Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == text.Length - 1
            || !ulong.TryParse(text.AsSpan(0, dot), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong hi)
            || !ulong.TryParse(text.AsSpan(dot + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong lo))
        {
            throw new DaosException(DaosError.InvalidArgument,
                $"malformed object id '{text}': expected two hexadecimal numbers joined by a dot, as in 100020000000000.2a");
        }

        var id = new ObjectId(hi, lo);
        try
        {
            _ = id.Class;
        }
        catch (DaosException e)
        {
            throw new DaosException(DaosError.InvalidArgument, $"object id '{text}' carries an invalid class", e);
        }

        return id;
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Hi:x}.{Lo:x}");

    /// <inheritdoc/>
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc/>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        destination.TryWrite(CultureInfo.InvariantCulture, $"{Hi:x}.{Lo:x}", out charsWritten);

    /// <inheritdoc/>
    public int CompareTo(ObjectId other)
    {
        int c = Hi.CompareTo(other.Hi);
        return c != 0 ? c : Lo.CompareTo(other.Lo);
    }

    /// <summary>Orders ids by (Hi, Lo).</summary>
    public static bool operator <(ObjectId left, ObjectId right) => left.CompareTo(right) < 0;

    /// <summary>Orders ids by (Hi, Lo).</summary>
    public static bool operator >(ObjectId left, ObjectId right) => left.CompareTo(right) > 0;

    /// <summary>Orders ids by (Hi, Lo).</summary>
    public static bool operator <=(ObjectId left, ObjectId right) => left.CompareTo(right) <= 0;

    /// <summary>Orders ids by (Hi, Lo).</summary>
    public static bool operator >=(ObjectId left, ObjectId right) => left.CompareTo(right) >= 0;
}
