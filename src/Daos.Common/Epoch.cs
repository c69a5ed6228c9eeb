using System.Globalization;

namespace Daos;

/// <summary>
/// A 64-bit epoch: the version every write is tagged with and every read is taken at. Epochs handed out by
/// <see cref="HybridLogicalClock"/> are DAOS hybrid logical clock values (1/16 ns since 2021-01-01 UTC in the
/// high 46 bits, an 18-bit logical counter below), so they order across engines and map back to wall time.
/// </summary>
/// <param name="Value">The raw epoch.</param>
public readonly record struct Epoch(ulong Value) : IComparable<Epoch>, ISpanFormattable
{
    /// <summary>The largest epoch: a read at <see cref="Max"/> sees the latest state.</summary>
    public static Epoch Max => new(ulong.MaxValue);

    /// <summary>Epoch zero, below every write (writes at epoch 0 are refused).</summary>
    public static Epoch Zero => default;

    /// <summary>True for an epoch a write may carry: neither 0 nor <see cref="Max"/>.</summary>
    public bool IsValidForUpdate => Value != 0 && Value != ulong.MaxValue;

    /// <inheritdoc/>
    public int CompareTo(Epoch other) => Value.CompareTo(other.Value);

    /// <summary>Compares epochs.</summary>
    public static bool operator <(Epoch left, Epoch right) => left.Value < right.Value;

    /// <summary>Compares epochs.</summary>
    public static bool operator >(Epoch left, Epoch right) => left.Value > right.Value;

    /// <summary>Compares epochs.</summary>
    public static bool operator <=(Epoch left, Epoch right) => left.Value <= right.Value;

    /// <summary>Compares epochs.</summary>
    public static bool operator >=(Epoch left, Epoch right) => left.Value >= right.Value;

    /// <summary>The wall-clock time of an HLC epoch (truncated to 100 ns ticks).</summary>
    public DateTimeOffset ToDateTimeOffset() => HybridLogicalClock.ToDateTimeOffset(this);

    /// <summary>Parses a decimal epoch, a <c>0x</c>-prefixed hexadecimal epoch, or <c>max</c>.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> for anything else.</exception>
    public static Epoch Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ReadOnlySpan<char> s = text.AsSpan().Trim();
        bool ok;
        ulong value;
        if (s.Equals("max", StringComparison.OrdinalIgnoreCase))
        {
            return Max;
        }

        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            ok = ulong.TryParse(s[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }
        else
        {
            ok = ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        }

        if (!ok)
        {
            throw new DaosException(DaosError.InvalidArgument,
                $"malformed epoch '{text}': expected an unsigned 64-bit decimal number, 0x-prefixed hex, or 'max'");
        }

        return new Epoch(value);
    }

    /// <inheritdoc/>
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public string ToString(string? format, IFormatProvider? formatProvider) => Value.ToString(format, formatProvider);

    /// <inheritdoc/>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        Value.TryFormat(destination, out charsWritten, format, provider);
}
