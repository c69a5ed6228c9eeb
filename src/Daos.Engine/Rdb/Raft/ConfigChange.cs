using System.Buffers.Binary;

namespace Daos.Engine.Rdb.Raft;

/// <summary>
/// A membership change, carried in a <see cref="LogEntryKind.ConfigChange"/> entry and applied by every replica when
/// the entry is applied. Encoded as described in docs/formats/rdb.md ("configuration change entry").
/// </summary>
public sealed class ConfigChange
{
    /// <summary>Magic number at the start of an encoded change ("RCFG" little-endian).</summary>
    public const uint Magic = 0x47464352;

    /// <summary>The encoding version this build writes and reads.</summary>
    public const byte FormatVersion = 1;

    /// <summary>Most replicas one change may name.</summary>
    public const int ReplicasPerChangeMax = 64;

    private const int HeaderSizeBytes = 10;

    private ConfigChange(ConfigChangeKind kind, ulong[] added, ulong[] removed)
    {
        Kind = kind;
        Added = added;
        Removed = removed;
    }

    /// <summary>The shape of the change.</summary>
    public ConfigChangeKind Kind { get; }

    /// <summary>Voters the change adds.</summary>
    public IReadOnlyList<ulong> Added { get; }

    /// <summary>Voters the change removes.</summary>
    public IReadOnlyList<ulong> Removed { get; }

    /// <summary>Adds one voter.</summary>
    public static ConfigChange AddVoter(ulong replicaId) => new(ConfigChangeKind.Single, [CheckId(replicaId)], []);

    /// <summary>Removes one voter.</summary>
    public static ConfigChange RemoveVoter(ulong replicaId) => new(ConfigChangeKind.Single, [], [CheckId(replicaId)]);

    /// <summary>Enters joint consensus towards the current voters plus <paramref name="added"/> minus <paramref name="removed"/>.</summary>
    public static ConfigChange EnterJoint(IEnumerable<ulong> added, IEnumerable<ulong> removed)
    {
        ArgumentNullException.ThrowIfNull(added);
        ArgumentNullException.ThrowIfNull(removed);
        ulong[] a = [.. added];
        ulong[] r = [.. removed];
        foreach (ulong id in a)
        {
            CheckId(id);
        }

        foreach (ulong id in r)
        {
            CheckId(id);
        }

        if (a.Length + r.Length is 0 or > ReplicasPerChangeMax)
        {
            ThrowHelper.InvalidArgument($"a joint change names 1 to {ReplicasPerChangeMax} replicas, not {a.Length + r.Length}");
        }

        return new ConfigChange(ConfigChangeKind.EnterJoint, a, r);
    }

    /// <summary>The founding configuration of a new group (see <see cref="ConfigChangeKind.Bootstrap"/>).</summary>
    public static ConfigChange Bootstrap(RaftConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration.IsJoint || configuration.Voters.Count is 0 or > ReplicasPerChangeMax)
        {
            ThrowHelper.InvalidArgument($"a group starts with 1 to {ReplicasPerChangeMax} voters and no joint configuration, not {configuration}");
        }

        return new ConfigChange(ConfigChangeKind.Bootstrap, [.. configuration.Voters], []);
    }

    /// <summary>Leaves joint consensus.</summary>
    public static ConfigChange LeaveJoint() => new(ConfigChangeKind.LeaveJoint, [], []);

    /// <summary>The encoded form stored in the log entry.</summary>
    public byte[] Encode()
    {
        int count = Added.Count + Removed.Count;
        byte[] buffer = new byte[HeaderSizeBytes + (count * 8) + 4];
        Span<byte> span = buffer;
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        span[4] = FormatVersion;
        span[5] = (byte)Kind;
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], (ushort)Added.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(span[8..], (ushort)Removed.Count);
        int offset = HeaderSizeBytes;
        foreach (ulong id in Added)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(span[offset..], id);
            offset += 8;
        }

        foreach (ulong id in Removed)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(span[offset..], id);
            offset += 8;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(span[offset..], Crc32C.Compute(span[..offset]));
        return buffer;
    }

    /// <summary>
    /// Decodes a change, treating <paramref name="encoded"/> as hostile: every length, the version and the checksum
    /// are checked.
    /// </summary>
    /// <exception cref="DaosException">
    /// <see cref="DaosError.Corrupted"/> for a bad magic, length or checksum or an invalid shape;
    /// <see cref="DaosError.DurableFormatIncompatible"/> for an unknown version.
    /// </exception>
    public static ConfigChange Decode(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length < HeaderSizeBytes + 4)
        {
            ThrowHelper.Corrupted($"configuration change of {encoded.Length} bytes is shorter than its header");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(encoded) != Magic)
        {
            ThrowHelper.Corrupted("configuration change has a bad magic number");
        }

        if (encoded[4] != FormatVersion)
        {
            ThrowHelper.Throw(DaosError.DurableFormatIncompatible, $"configuration change version {encoded[4]} is not {FormatVersion}");
        }

        var kind = (ConfigChangeKind)encoded[5];
        int addCount = BinaryPrimitives.ReadUInt16LittleEndian(encoded[6..]);
        int removeCount = BinaryPrimitives.ReadUInt16LittleEndian(encoded[8..]);
        int count = addCount + removeCount;
        if (count > ReplicasPerChangeMax || encoded.Length != HeaderSizeBytes + (count * 8) + 4)
        {
            ThrowHelper.Corrupted($"configuration change length {encoded.Length} does not match {count} replicas");
        }

        int bodyEnd = HeaderSizeBytes + (count * 8);
        if (BinaryPrimitives.ReadUInt32LittleEndian(encoded[bodyEnd..]) != Crc32C.Compute(encoded[..bodyEnd]))
        {
            ThrowHelper.Corrupted("configuration change checksum mismatch");
        }

        var added = new ulong[addCount];
        var removed = new ulong[removeCount];
        for (int i = 0; i < count; i++)
        {
            ulong id = BinaryPrimitives.ReadUInt64LittleEndian(encoded[(HeaderSizeBytes + (i * 8))..]);
            if (id == 0)
            {
                ThrowHelper.Corrupted("configuration change names replica 0");
            }

            if (i < addCount)
            {
                added[i] = id;
            }
            else
            {
                removed[i - addCount] = id;
            }
        }

        bool shapeValid = kind switch
        {
            ConfigChangeKind.Single => count == 1,
            ConfigChangeKind.EnterJoint => count >= 1,
            ConfigChangeKind.LeaveJoint => count == 0,
            ConfigChangeKind.Bootstrap => addCount >= 1 && removeCount == 0,
            _ => false,
        };
        if (!shapeValid)
        {
            ThrowHelper.Corrupted($"configuration change of kind {(byte)kind} with {count} replicas is not a valid shape");
        }

        return new ConfigChange(kind, added, removed);
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        string adds = Added.Count == 0 ? "" : " add=" + string.Join(",", Added);
        string removes = Removed.Count == 0 ? "" : " remove=" + string.Join(",", Removed);
        return Kind switch
        {
            ConfigChangeKind.Single => $"single{adds}{removes}",
            ConfigChangeKind.EnterJoint => $"enter-joint{adds}{removes}",
            ConfigChangeKind.Bootstrap => $"bootstrap{adds}",
            _ => "leave-joint",
        };
    }

    private static ulong CheckId(ulong replicaId)
    {
        if (replicaId == 0)
        {
            ThrowHelper.InvalidArgument("replica id 0 is reserved for 'none'");
        }

        return replicaId;
    }
}
