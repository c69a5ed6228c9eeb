namespace Daos.Engine.Rdb.Raft;

/// <summary>
/// A state-machine image that replaces the log up to <see cref="Index"/>: the application's bytes, the
/// configuration in force at that index, and a CRC-64 of the bytes that every receiver verifies before installing.
/// </summary>
public sealed class RaftSnapshot
{
    /// <summary>Creates a snapshot and computes its checksum.</summary>
    public RaftSnapshot(ulong index, ulong term, RaftConfiguration configuration, ReadOnlyMemory<byte> data)
        : this(index, term, configuration, data, Crc64.Compute(data.Span))
    {
    }

    /// <summary>Creates a snapshot with a checksum received from elsewhere; see <see cref="IsChecksumValid"/>.</summary>
    public RaftSnapshot(ulong index, ulong term, RaftConfiguration configuration, ReadOnlyMemory<byte> data, ulong checksum)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if ((index == 0) != (term == 0))
        {
            ThrowHelper.InvalidArgument($"snapshot index {index} and term {term} must both be zero or both non-zero");
        }

        Index = index;
        Term = term;
        Configuration = configuration;
        Data = data;
        Checksum = checksum;
    }

    /// <summary>The empty snapshot of a log that was never compacted.</summary>
    public static RaftSnapshot Empty { get; } = new(0, 0, RaftConfiguration.Empty, ReadOnlyMemory<byte>.Empty);

    /// <summary>The last log index the image includes.</summary>
    public ulong Index { get; }

    /// <summary>The term of the entry at <see cref="Index"/>.</summary>
    public ulong Term { get; }

    /// <summary>The configuration in force at <see cref="Index"/>.</summary>
    public RaftConfiguration Configuration { get; }

    /// <summary>The application's image.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>CRC-64 (ECMA, reflected) of <see cref="Data"/>.</summary>
    public ulong Checksum { get; }

    /// <summary>True when this is <see cref="Empty"/> or another snapshot at index 0.</summary>
    public bool IsEmpty => Index == 0;

    /// <summary>True when <see cref="Checksum"/> matches <see cref="Data"/>.</summary>
    public bool IsChecksumValid => Crc64.Compute(Data.Span) == Checksum;

    /// <inheritdoc/>
    public override string ToString() => $"snapshot {Index}/{Term} {Configuration} {Data.Length}B";
}
