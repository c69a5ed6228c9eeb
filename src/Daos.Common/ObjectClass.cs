using System.Collections.Frozen;
using System.Globalization;

namespace Daos;

/// <summary>
/// An object class: how many shards an object has and how they protect each other. Encoded as DAOS does,
/// <c>Id = redundancy &lt;&lt; 24 | groupCount</c>, where the redundancy code names the group shape (S: one shard,
/// RP_n: n replicas, EC_kPp: k data + p parity cells) and <see cref="MaxGroups"/> (0xFFFF) means "X", as many
/// groups as the pool allows, resolved by <see cref="ResolveMaxGroups"/> when an object id is generated.
/// </summary>
/// <remarks>
/// <see cref="Parse"/> accepts exactly the names DAOS defines: S{1,2,4,6,8,12,16,32,X};
/// RP_{2..6}G{1,2,4,6,8,12,16,32,X}; RP_{8,12,16,24,32,48,64,128}G1;
/// EC_{2P1,2P2,4P1,4P2,8P1,8P2,16P1,16P2,4P3,8P3,16P3}G{1,2,4,8,12,16,32,X}; with or without an "OC_" prefix,
/// in any case. <see cref="FromId"/> accepts any known redundancy code with 1..65535 groups, since a resolved X
/// class may carry any group count.
/// </remarks>
public readonly record struct ObjectClass : IComparable<ObjectClass>
{
    /// <summary>The encoded group count that means "as many groups as the pool allows" (DAOS's MAX_NUM_GROUPS).</summary>
    public const int MaxGroups = 0xFFFF;

    private const int RedundancyShift = 24;

    private readonly uint _id;

    private ObjectClass(uint id) => _id = id;

    /// <summary>DAOS's <c>daos_oclass_id_t</c> value: <c>redundancy &lt;&lt; 24 | groupCount</c>.</summary>
    public uint Id => _id;

    /// <summary>The unknown class (<c>OC_UNKNOWN</c>, id 0): let the container's redundancy factor choose.</summary>
    public static ObjectClass Unknown => default;

    /// <summary>True for <see cref="Unknown"/>.</summary>
    public bool IsUnknown => _id == 0;

    /// <summary>DAOS's redundancy code (<c>enum daos_obj_redun</c>): 1 for S, 8.. for RP, 32.. for EC.</summary>
    public byte RedundancyCode => (byte)(_id >> RedundancyShift);

    /// <summary>The group count as encoded: 1..65534, or <see cref="MaxGroups"/> for X.</summary>
    public int GroupCount => (int)(_id & 0xFFFF);

    /// <summary>True for the X classes, whose group count is resolved against a pool.</summary>
    public bool IsMaxGroups => GroupCount == MaxGroups;

    /// <summary>How this class protects data.</summary>
    public RedundancyKind Redundancy => Shape(RedundancyCode).Kind;

    /// <summary>Shards per redundancy group: 1 for S, the replica count for RP, k+p for EC.</summary>
    public int GroupSize => Shape(RedundancyCode) is var s ? s.First + s.Parity : 0;

    /// <summary>Replicas per group (1 for S and EC classes).</summary>
    public int Replicas => Redundancy == RedundancyKind.ErasureCode ? 1 : Shape(RedundancyCode).First;

    /// <summary>EC data cells per group (k), 0 for S and RP classes.</summary>
    public int DataCells => Redundancy == RedundancyKind.ErasureCode ? Shape(RedundancyCode).First : 0;

    /// <summary>EC parity cells per group (p), 0 for S and RP classes.</summary>
    public int ParityCells => Shape(RedundancyCode).Parity;

    /// <summary>How many shards of one group may be lost without losing data.</summary>
    public int FaultsTolerated => Redundancy switch
    {
        RedundancyKind.Replication => Replicas - 1,
        RedundancyKind.ErasureCode => ParityCells,
        _ => 0,
    };

    /// <summary>The DAOS name, such as <c>S1</c>, <c>RP_3GX</c> or <c>EC_8P2G4</c>.</summary>
    public string Name
    {
        get
        {
            if (IsUnknown)
            {
                return "UNKNOWN";
            }

            var (kind, first, parity) = Shape(RedundancyCode);
            string groups = IsMaxGroups ? "X" : GroupCount.ToString(CultureInfo.InvariantCulture);
            return kind switch
            {
                RedundancyKind.None => "S" + groups,
                RedundancyKind.Replication => string.Create(CultureInfo.InvariantCulture, $"RP_{first}G{groups}"),
                _ => string.Create(CultureInfo.InvariantCulture, $"EC_{first}P{parity}G{groups}"),
            };
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <inheritdoc/>
    public int CompareTo(ObjectClass other) => _id.CompareTo(other._id);

    /// <summary>Orders classes by id.</summary>
    public static bool operator <(ObjectClass left, ObjectClass right) => left._id < right._id;

    /// <summary>Orders classes by id.</summary>
    public static bool operator >(ObjectClass left, ObjectClass right) => left._id > right._id;

    /// <summary>Orders classes by id.</summary>
    public static bool operator <=(ObjectClass left, ObjectClass right) => left._id <= right._id;

    /// <summary>Orders classes by id.</summary>
    public static bool operator >=(ObjectClass left, ObjectClass right) => left._id >= right._id;

    /// <summary>Parses a DAOS class name (see the remarks of <see cref="ObjectClass"/>).</summary>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> for anything else.</exception>
    public static ObjectClass Parse(string name)
    {
        if (!TryParse(name, out ObjectClass result))
        {
            throw new DaosException(DaosError.InvalidArgument,
                $"unknown object class '{name}': expected a DAOS class name such as S1, SX, RP_3G1, RP_2GX or EC_4P2G1");
        }

        return result;
    }

    /// <summary>Parses a DAOS class name, returning false instead of throwing.</summary>
    public static bool TryParse(string? name, out ObjectClass result)
    {
        result = default;
        if (string.IsNullOrWhiteSpace(name))
        {
            return false;
        }

        string trimmed = name.Trim();
        if (trimmed.StartsWith("OC_", StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed[3..];
        }

        return Named.TryGetValue(trimmed, out result);
    }

    /// <summary>The class with DAOS id <paramref name="id"/>.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> for an unknown redundancy code or a group count of 0.</exception>
    public static ObjectClass FromId(uint id)
    {
        byte code = (byte)(id >> RedundancyShift);
        uint groups = id & 0xFFFF;
        if (Shape(code).Kind == (RedundancyKind)(-1) || groups == 0 || (id & 0x00FF_0000) != 0)
        {
            throw new DaosException(DaosError.InvalidArgument,
                $"invalid object class id 0x{id:x8}: redundancy code {code}, group count {groups}");
        }

        return new ObjectClass(id);
    }

    /// <summary>This class's shape with <paramref name="groupCount"/> groups (1..65535; 65535 is X).</summary>
    public ObjectClass WithGroupCount(int groupCount)
    {
        if (IsUnknown)
        {
            throw new DaosException(DaosError.InvalidArgument, "the unknown object class has no group shape");
        }

        if (groupCount is < 1 or > MaxGroups)
        {
            throw new DaosException(DaosError.InvalidArgument,
                $"group count {groupCount} is out of range 1..{MaxGroups} for class {Name}");
        }

        return new ObjectClass(((uint)RedundancyCode << RedundancyShift) | (uint)groupCount);
    }

    /// <summary>
    /// Resolves an X class against a pool, as DAOS does when it generates an object id: one group per
    /// <see cref="GroupSize"/> targets, less the groups reserved so that a rebuild after failures still finds
    /// spare targets. Classes that are not X are returned unchanged. The result is at least one group.
    /// </summary>
    /// <param name="targetCount">Targets in the pool (all states that can hold shards).</param>
    /// <param name="domainCount">Fault domains at the container's redundancy level.</param>
    /// <param name="redundancyFactor">The container's redundancy factor (0..4).</param>
    /// <remarks>
    /// Reserved fault domains: RF below 16 domains, RF+1 below 32, RF+2 below 64, and beyond that the larger of
    /// RF+2 and 4% (below 128), 6% (below 256) or 8% of the domains. They are turned into groups by the targets
    /// they hold: <c>reserved * targets / domains / groupSize</c>, rounded up.
    /// </remarks>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> when the group cannot fit the domains.</exception>
    public ObjectClass ResolveMaxGroups(int targetCount, int domainCount, int redundancyFactor)
    {
        if (targetCount < 1 || domainCount < 1 || domainCount > targetCount)
        {
            throw new DaosException(DaosError.InvalidArgument,
                $"cannot resolve {Name} for {targetCount} targets in {domainCount} fault domains");
        }

        if (redundancyFactor is < 0 or > 4)
        {
            throw new DaosException(DaosError.InvalidArgument, $"redundancy factor {redundancyFactor} is out of range 0..4");
        }

        if (GroupSize > domainCount)
        {
            throw new DaosException(DaosError.InvalidArgument,
                $"class {Name} needs {GroupSize} fault domains per group but the pool has {domainCount}");
        }

        if (!IsMaxGroups)
        {
            return this;
        }

        int baseGroups = Math.Max(1, targetCount / GroupSize);
        int reservedDomains = ReservedDomains(domainCount, redundancyFactor);
        long reservedTargets = (long)reservedDomains * targetCount / domainCount;
        int reservedGroups = (int)((reservedTargets + GroupSize - 1) / GroupSize);
        int groups = Math.Max(1, baseGroups - reservedGroups);
        return WithGroupCount(Math.Min(groups, MaxGroups - 1));
    }

    private static int ReservedDomains(int domainCount, int rf)
    {
        if (domainCount < 16)
        {
            return rf;
        }

        if (domainCount < 32)
        {
            return rf + 1;
        }

        if (domainCount < 64)
        {
            return rf + 2;
        }

        int percent = domainCount < 128 ? 4 : domainCount < 256 ? 6 : 8;
        return Math.Max((domainCount * percent + 99) / 100, rf + 2);
    }

    /// <summary>Every class DAOS names, in id order.</summary>
    public static IReadOnlyList<ObjectClass> All => AllNamed;

    // Redundancy codes of DAOS's enum daos_obj_redun: (kind, replicas or k, p).
    private static (RedundancyKind Kind, int First, int Parity) Shape(byte code) => code switch
    {
        1 => (RedundancyKind.None, 1, 0),
        >= 8 and <= 12 => (RedundancyKind.Replication, code - 6, 0),
        13 => (RedundancyKind.Replication, 8, 0),
        14 => (RedundancyKind.Replication, 12, 0),
        15 => (RedundancyKind.Replication, 16, 0),
        16 => (RedundancyKind.Replication, 24, 0),
        17 => (RedundancyKind.Replication, 32, 0),
        18 => (RedundancyKind.Replication, 48, 0),
        19 => (RedundancyKind.Replication, 64, 0),
        20 => (RedundancyKind.Replication, 128, 0),
        32 => (RedundancyKind.ErasureCode, 2, 1),
        33 => (RedundancyKind.ErasureCode, 2, 2),
        34 => (RedundancyKind.ErasureCode, 4, 1),
        35 => (RedundancyKind.ErasureCode, 4, 2),
        36 => (RedundancyKind.ErasureCode, 8, 1),
        37 => (RedundancyKind.ErasureCode, 8, 2),
        38 => (RedundancyKind.ErasureCode, 16, 1),
        39 => (RedundancyKind.ErasureCode, 16, 2),
        40 => (RedundancyKind.ErasureCode, 4, 3),
        41 => (RedundancyKind.ErasureCode, 8, 3),
        42 => (RedundancyKind.ErasureCode, 16, 3),
        _ => ((RedundancyKind)(-1), 0, 0),
    };

    private static readonly int[] StripedGroups = [1, 2, 4, 6, 8, 12, 16, 32, MaxGroups];
    private static readonly int[] ErasureGroups = [1, 2, 4, 8, 12, 16, 32, MaxGroups];

    private static readonly ObjectClass[] AllNamed = BuildNamed();

    private static readonly FrozenDictionary<string, ObjectClass> Named =
        AllNamed.ToFrozenDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);

    private static ObjectClass[] BuildNamed()
    {
        var list = new List<ObjectClass>();
        void Add(byte code, int[] groups)
        {
            foreach (int g in groups)
            {
                list.Add(new ObjectClass(((uint)code << RedundancyShift) | (uint)g));
            }
        }

        Add(1, StripedGroups);
        for (byte code = 8; code <= 12; code++)
        {
            Add(code, StripedGroups);
        }

        for (byte code = 13; code <= 20; code++)
        {
            Add(code, [1]);
        }

        for (byte code = 32; code <= 42; code++)
        {
            Add(code, ErasureGroups);
        }

        list.Sort();
        return [.. list];
    }

#pragma warning disable CA1707 // The class names are DAOS's own (RP_3G1, EC_4P2G1); renaming them would hide that.
    /// <summary>One shard, no protection.</summary>
    public static ObjectClass S1 => new((1u << RedundancyShift) | 1);
    /// <summary>Two shards, no protection.</summary>
    public static ObjectClass S2 => new((1u << RedundancyShift) | 2);
    /// <summary>Four shards, no protection.</summary>
    public static ObjectClass S4 => new((1u << RedundancyShift) | 4);
    /// <summary>Eight shards, no protection.</summary>
    public static ObjectClass S8 => new((1u << RedundancyShift) | 8);
    /// <summary>Sixteen shards, no protection.</summary>
    public static ObjectClass S16 => new((1u << RedundancyShift) | 16);
    /// <summary>As many shards as the pool allows, no protection.</summary>
    public static ObjectClass SX => new((1u << RedundancyShift) | MaxGroups);
    /// <summary>Two replicas, one group.</summary>
    public static ObjectClass RP_2G1 => new((8u << RedundancyShift) | 1);
    /// <summary>Two replicas, two groups.</summary>
    public static ObjectClass RP_2G2 => new((8u << RedundancyShift) | 2);
    /// <summary>Two replicas, as many groups as the pool allows.</summary>
    public static ObjectClass RP_2GX => new((8u << RedundancyShift) | MaxGroups);
    /// <summary>Three replicas, one group.</summary>
    public static ObjectClass RP_3G1 => new((9u << RedundancyShift) | 1);
    /// <summary>Three replicas, two groups.</summary>
    public static ObjectClass RP_3G2 => new((9u << RedundancyShift) | 2);
    /// <summary>Three replicas, as many groups as the pool allows.</summary>
    public static ObjectClass RP_3GX => new((9u << RedundancyShift) | MaxGroups);
    /// <summary>Four replicas, one group.</summary>
    public static ObjectClass RP_4G1 => new((10u << RedundancyShift) | 1);
    /// <summary>Erasure code 2+1, one group.</summary>
    public static ObjectClass EC_2P1G1 => new((32u << RedundancyShift) | 1);
    /// <summary>Erasure code 2+2, one group.</summary>
    public static ObjectClass EC_2P2G1 => new((33u << RedundancyShift) | 1);
    /// <summary>Erasure code 4+1, one group.</summary>
    public static ObjectClass EC_4P1G1 => new((34u << RedundancyShift) | 1);
    /// <summary>Erasure code 4+2, one group.</summary>
    public static ObjectClass EC_4P2G1 => new((35u << RedundancyShift) | 1);
    /// <summary>Erasure code 4+2, as many groups as the pool allows.</summary>
    public static ObjectClass EC_4P2GX => new((35u << RedundancyShift) | MaxGroups);
    /// <summary>Erasure code 8+1, one group.</summary>
    public static ObjectClass EC_8P1G1 => new((36u << RedundancyShift) | 1);
    /// <summary>Erasure code 8+2, one group.</summary>
    public static ObjectClass EC_8P2G1 => new((37u << RedundancyShift) | 1);
    /// <summary>Erasure code 8+2, as many groups as the pool allows.</summary>
    public static ObjectClass EC_8P2GX => new((37u << RedundancyShift) | MaxGroups);
    /// <summary>Erasure code 16+2, one group.</summary>
    public static ObjectClass EC_16P2G1 => new((39u << RedundancyShift) | 1);
#pragma warning restore CA1707
}
