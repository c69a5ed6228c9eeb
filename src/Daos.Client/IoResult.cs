namespace Daos.Client;

/// <summary>What a fetch returned for one <see cref="IoDescriptor"/>, in the order the descriptors were given.</summary>
public sealed record IoResult
{
    /// <summary>Creates a result.</summary>
    public IoResult(ReadOnlyMemory<byte> akey, IoKind kind, byte[]? value, int length, IReadOnlyList<Extent> holes)
    {
        Akey = akey;
        Kind = kind;
        Value = value;
        Length = length;
        Holes = holes;
    }

    /// <summary>The attribute key.</summary>
    public ReadOnlyMemory<byte> Akey { get; }

    /// <summary>The kind asked for.</summary>
    public IoKind Kind { get; }

    /// <summary>
    /// For a single value: the value, or null when absent. For an array range: the range's bytes up to
    /// <see cref="Length"/> (trailing holes trimmed), with holes inside it zero.
    /// </summary>
    public byte[]? Value { get; }

    /// <summary>
    /// For an array range: the bytes up to the end of the last visible record (trailing holes trimmed), as
    /// <see cref="ArrayReadResult.Length"/>. For a single value: its length, or 0 when absent.
    /// </summary>
    public int Length { get; }

    /// <summary>For an array range: the record ranges (absolute indexes) that no visible write covers.</summary>
    public IReadOnlyList<Extent> Holes { get; }
}
