using System.Buffers.Binary;
using Daos.Placement.Map;

namespace Daos.Placement;

public sealed partial class PoolMap
{
    // Layout documented in docs/formats/placement.md. All integers little-endian.
    internal const uint Magic = 0x504D_4450;          // "PDMP" read as little-endian bytes: 'P','D','M','P'
    internal const ushort FormatVersion = 1;
    internal const int HeaderBytes = 24;
    internal const int DomainRecordBytes = 28;
    internal const int TargetRecordBytes = 32;
    internal const int TrailerBytes = 8;

    private const byte FlagDown2Up = 1;

    /// <summary>
    /// Encodes the map (format version 1): a header with the map version and counts, one record per domain in
    /// breadth-first order, one record per target, then a CRC-64 of everything before it.
    /// </summary>
    public ReadOnlyMemory<byte> Serialize()
    {
        int length = HeaderBytes + Domains.Length * DomainRecordBytes + TargetComponents.Length * TargetRecordBytes + TrailerBytes;
        byte[] buffer = new byte[length];
        Span<byte> span = buffer;
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], 0);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], Domains.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], TargetComponents.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[20..], length);
        int offset = HeaderBytes;
        foreach (ref readonly PoolComponent d in Domains.AsSpan())
        {
            Span<byte> r = span.Slice(offset, DomainRecordBytes);
            r[0] = (byte)d.Type;
            r[1] = StatusBit(d.Status);
            r[2] = 0;
            r[3] = 0;
            BinaryPrimitives.WriteInt32LittleEndian(r[4..], d.Id);
            BinaryPrimitives.WriteInt32LittleEndian(r[8..], d.Fseq);
            BinaryPrimitives.WriteInt32LittleEndian(r[12..], d.InVersion);
            BinaryPrimitives.WriteInt32LittleEndian(r[16..], d.OutVersion);
            BinaryPrimitives.WriteInt32LittleEndian(r[20..], d.ChildCount);
            BinaryPrimitives.WriteInt32LittleEndian(r[24..], 0);
            offset += DomainRecordBytes;
        }

        foreach (ref readonly PoolComponent t in TargetComponents.AsSpan())
        {
            Span<byte> r = span.Slice(offset, TargetRecordBytes);
            r[0] = (byte)ComponentType.Target;
            r[1] = StatusBit(t.Status);
            r[2] = t.Down2Up ? FlagDown2Up : (byte)0;
            r[3] = 0;
            BinaryPrimitives.WriteInt32LittleEndian(r[4..], t.Id);
            BinaryPrimitives.WriteInt32LittleEndian(r[8..], t.Rank);
            BinaryPrimitives.WriteInt32LittleEndian(r[12..], t.Index);
            BinaryPrimitives.WriteInt32LittleEndian(r[16..], t.Fseq);
            BinaryPrimitives.WriteInt32LittleEndian(r[20..], t.InVersion);
            BinaryPrimitives.WriteInt32LittleEndian(r[24..], t.OutVersion);
            BinaryPrimitives.WriteInt32LittleEndian(r[28..], 0);
            offset += TargetRecordBytes;
        }

        BinaryPrimitives.WriteUInt64LittleEndian(span[offset..], Crc64.Compute(span[..offset]));
        return buffer;
    }

    /// <summary>
    /// Decodes a map written by <see cref="Serialize"/>. The input is treated as hostile: every length, count,
    /// status, id and version is checked and the tree shape is verified before anything is built.
    /// </summary>
    /// <exception cref="DaosException"><see cref="DaosError.Corrupted"/> for a checksum mismatch or a truncated buffer;
    /// <see cref="DaosError.Unsupported"/> for an unknown format version; <see cref="DaosError.InvalidArgument"/> for
    /// a well-formed buffer describing an impossible map (unknown status, duplicate ids, a broken tree).</exception>
    public static PoolMap Deserialize(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < HeaderBytes + TrailerBytes)
        {
            ThrowHelper.Corrupted($"pool map buffer of {bytes.Length} bytes is shorter than a header and checksum");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic)
        {
            ThrowHelper.Corrupted("pool map buffer does not start with the pool map magic");
        }

        ushort format = BinaryPrimitives.ReadUInt16LittleEndian(bytes[4..]);
        if (format != FormatVersion)
        {
            ThrowHelper.Throw(DaosError.Unsupported, $"pool map format version {format} is not supported (expected {FormatVersion})");
        }

        int declaredLength = BinaryPrimitives.ReadInt32LittleEndian(bytes[20..]);
        if (declaredLength != bytes.Length)
        {
            ThrowHelper.Corrupted($"pool map buffer is {bytes.Length} bytes but its header declares {declaredLength}");
        }

        int body = bytes.Length - TrailerBytes;
        ulong expected = BinaryPrimitives.ReadUInt64LittleEndian(bytes[body..]);
        if (Crc64.Compute(bytes[..body]) != expected)
        {
            ThrowHelper.Corrupted("pool map checksum mismatch");
        }

        int version = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        int domainCount = BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]);
        int targetCount = BinaryPrimitives.ReadInt32LittleEndian(bytes[16..]);
        if (BinaryPrimitives.ReadUInt16LittleEndian(bytes[6..]) != 0)
        {
            ThrowHelper.InvalidArgument("pool map header has unknown flags set");
        }

        if (version < 1)
        {
            ThrowHelper.InvalidArgument($"pool map version {version} is below 1");
        }

        if (domainCount < 3 || targetCount < 1 || targetCount > TargetsMax || domainCount > 1 + 2 * TargetsMax
            || (long)HeaderBytes + (long)domainCount * DomainRecordBytes + (long)targetCount * TargetRecordBytes + TrailerBytes != bytes.Length)
        {
            ThrowHelper.InvalidArgument($"pool map counts ({domainCount} domains, {targetCount} targets) do not match its {bytes.Length} bytes");
        }

        var domains = new PoolComponent[domainCount];
        var targets = new PoolComponent[targetCount];
        int offset = HeaderBytes;
        var nodeIds = new HashSet<int>();
        var rankIds = new HashSet<int>();
        for (int i = 0; i < domainCount; i++, offset += DomainRecordBytes)
        {
            ReadOnlySpan<byte> r = bytes.Slice(offset, DomainRecordBytes);
            var type = (ComponentType)r[0];
            if (type is not (ComponentType.Root or ComponentType.Node or ComponentType.Rank) || (type == ComponentType.Root) != (i == 0))
            {
                ThrowHelper.InvalidArgument($"pool map domain {i} has type {r[0]}: expected the root first, then nodes and ranks");
            }

            if (r[2] != 0 || r[3] != 0 || BinaryPrimitives.ReadInt32LittleEndian(r[24..]) != 0)
            {
                ThrowHelper.InvalidArgument($"pool map domain {i} has reserved bytes set");
            }

            ref PoolComponent d = ref domains[i];
            d.Type = type;
            d.Status = ParseStatus(r[1], "domain", i);
            d.Id = BinaryPrimitives.ReadInt32LittleEndian(r[4..]);
            d.Fseq = BinaryPrimitives.ReadInt32LittleEndian(r[8..]);
            d.InVersion = BinaryPrimitives.ReadInt32LittleEndian(r[12..]);
            d.OutVersion = BinaryPrimitives.ReadInt32LittleEndian(r[16..]);
            d.ChildCount = BinaryPrimitives.ReadInt32LittleEndian(r[20..]);
            d.Rank = type == ComponentType.Rank ? d.Id : -1;
            CheckVersions(d, version, "domain", i);
            if (d.Id < 0 || (type == ComponentType.Node && !nodeIds.Add(d.Id)) || (type == ComponentType.Rank && !rankIds.Add(d.Id)))
            {
                ThrowHelper.InvalidArgument($"pool map domain {i} has a negative or duplicate id {d.Id}");
            }
        }

        for (int i = 0; i < targetCount; i++, offset += TargetRecordBytes)
        {
            ReadOnlySpan<byte> r = bytes.Slice(offset, TargetRecordBytes);
            if (r[0] != (byte)ComponentType.Target || (r[2] & ~FlagDown2Up) != 0 || r[3] != 0
                || BinaryPrimitives.ReadInt32LittleEndian(r[28..]) != 0)
            {
                ThrowHelper.InvalidArgument($"pool map target record {i} has a bad type, flags or reserved bytes");
            }

            ref PoolComponent t = ref targets[i];
            t.Type = ComponentType.Target;
            t.Status = ParseStatus(r[1], "target", i);
            t.Down2Up = (r[2] & FlagDown2Up) != 0;
            t.Id = BinaryPrimitives.ReadInt32LittleEndian(r[4..]);
            t.Rank = BinaryPrimitives.ReadInt32LittleEndian(r[8..]);
            t.Index = BinaryPrimitives.ReadInt32LittleEndian(r[12..]);
            t.Fseq = BinaryPrimitives.ReadInt32LittleEndian(r[16..]);
            t.InVersion = BinaryPrimitives.ReadInt32LittleEndian(r[20..]);
            t.OutVersion = BinaryPrimitives.ReadInt32LittleEndian(r[24..]);
            CheckVersions(t, version, "target", i);
            if (t.Id != i)
            {
                ThrowHelper.InvalidArgument($"pool map target record {i} carries id {t.Id}: target ids must equal their position (duplicate or out of order)");
            }

            if (t.Down2Up && t.Status != TargetStatus.Up)
            {
                ThrowHelper.InvalidArgument($"pool map target {i} is marked reintegrated-from-down but is {t.Status}");
            }
        }

        var map = new PoolMap(version, domains, targets);

        // The tree links are now derived: every target must sit under the rank it names, at its own index.
        for (int d = map.RankStart; d < domains.Length; d++)
        {
            ref PoolComponent rank = ref domains[d];
            for (int k = 0; k < rank.TargetCount; k++)
            {
                ref PoolComponent t = ref targets[rank.FirstTarget + k];
                if (t.Rank != rank.Id || t.Index != k)
                {
                    ThrowHelper.InvalidArgument($"pool map target {t.Id} claims rank {t.Rank} index {t.Index} but sits at rank {rank.Id} index {k}");
                }
            }
        }

        return map;
    }

    private static void CheckVersions(in PoolComponent c, int version, string what, int i)
    {
        if (c.Fseq < 0 || c.Fseq > version || c.InVersion < 0 || c.InVersion > version || c.OutVersion < 0 || c.OutVersion > version)
        {
            ThrowHelper.InvalidArgument($"pool map {what} {i} has versions (fseq {c.Fseq}, in {c.InVersion}, out {c.OutVersion}) outside 0..{version}");
        }
    }

    // DAOS's status bits: NEW=1, UP=2, UPIN=4, DOWN=8, DOWNOUT=16, DRAIN=32.
    internal static byte StatusBit(TargetStatus status) => status switch
    {
        TargetStatus.New => 1,
        TargetStatus.Up => 2,
        TargetStatus.UpIn => 4,
        TargetStatus.Down => 8,
        TargetStatus.DownOut => 16,
        TargetStatus.Drain => 32,
        _ => 0,
    };

    private static TargetStatus ParseStatus(byte bit, string what, int i)
    {
        switch (bit)
        {
            case 1: return TargetStatus.New;
            case 2: return TargetStatus.Up;
            case 4: return TargetStatus.UpIn;
            case 8: return TargetStatus.Down;
            case 16: return TargetStatus.DownOut;
            case 32: return TargetStatus.Drain;
            default:
                ThrowHelper.InvalidArgument($"pool map {what} {i} has unknown status 0x{bit:x2}");
                return default;
        }
    }
}
