namespace Daos.Protocol.Objects;

/// <summary>
/// What a fetch found for one akey. Single value: <see cref="Exists"/> and the value in <see cref="Data"/>.
/// Array: <see cref="Data"/> holds the bytes up to the end of the last visible record (trailing holes trimmed, so its
/// length is VOS's <c>Length</c>), and <see cref="Holes"/> lists the record ranges nothing covers, as VOS reports them.
/// </summary>
/// <param name="Exists">Whether a single value exists (always true for arrays).</param>
/// <param name="Data">The value or the records read.</param>
/// <param name="Holes">Record ranges with no visible data (arrays).</param>
public readonly record struct IodResult(bool Exists, ReadOnlyMemory<byte> Data, IReadOnlyList<Extent> Holes)
{
    /// <summary>Smallest encoded size.</summary>
    public const int SizeBytesMin = 1 + 4 + 4;

    internal void Write(ref ProtocolWriter writer)
    {
        writer.WriteBoolean(Exists);
        writer.WriteBytes(Data.Span);
        writer.WriteCount(Holes.Count);
        for (int i = 0; i < Holes.Count; i++)
        {
            writer.WriteExtent(Holes[i]);
        }
    }

    internal static IodResult Read(ref ProtocolReader reader)
    {
        bool exists = reader.ReadBoolean();
        ReadOnlyMemory<byte> data = reader.ReadBytes(ProtocolLimits.ValueSizeBytesMax);
        int count = reader.ReadCount(ProtocolLimits.HolesMax, 16);
        Extent[] holes = count == 0 ? [] : new Extent[count];
        for (int i = 0; i < count; i++)
        {
            holes[i] = reader.ReadExtent();
        }

        return new IodResult(exists, data, holes);
    }
}
