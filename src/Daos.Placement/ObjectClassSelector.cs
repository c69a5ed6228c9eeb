namespace Daos.Placement;

/// <summary>
/// Object classes against a concrete pool map: whether a class fits, what an X class resolves to, and which class
/// a container's redundancy factor selects when the application names none (REFERENCE.md 1.6).
/// </summary>
public static class ObjectClassSelector
{
    /// <summary>
    /// Checks that <paramref name="objectClass"/> fits <paramref name="map"/>: each group needs
    /// <see cref="ObjectClass.GroupSize"/> distinct fault domains, and the groups together at most one shard per
    /// target. Returns the class.
    /// </summary>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> when it does not fit.</exception>
    public static ObjectClass Validate(PoolMap map, ObjectClass objectClass, FaultDomainLevel level = FaultDomainLevel.Node)
    {
        _ = Fit(map, objectClass, level);
        return objectClass;
    }

    /// <summary>
    /// Resolves an X class for an object id about to be generated (DAOS's <c>daos_oclass_fit_max</c>): as many groups
    /// as the targets allow, less the reserve kept for rebuild under <paramref name="redundancyFactor"/>. Other
    /// classes are validated and returned unchanged.
    /// </summary>
    public static ObjectClass Resolve(PoolMap map, ObjectClass objectClass, int redundancyFactor,
        FaultDomainLevel level = FaultDomainLevel.Node)
    {
        ArgumentNullException.ThrowIfNull(map);
        ObjectClass resolved = objectClass.ResolveMaxGroups(map.Targets.Count, map.DomainCount(level), redundancyFactor);
        return Validate(map, resolved, level);
    }

    /// <summary>
    /// The class DAOS selects for an object of <paramref name="type"/> in a container with redundancy factor
    /// <paramref name="redundancyFactor"/> and no class set (DAOS's <c>dc_set_oclass</c>): erasure coding for arrays
    /// when the fault domains allow it, replication otherwise; as many groups as possible for arrays and key-value
    /// objects, one group for the rest. The result is resolved against the map.
    /// </summary>
    /// <param name="map">The pool map.</param>
    /// <param name="type">The object type.</param>
    /// <param name="redundancyFactor">0..4: fault domains that may fail at once.</param>
    /// <param name="level">The container's fault-domain level.</param>
    /// <param name="hint">Prefer this protection where the table allows a choice (RF 0: replication or EC).</param>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> for an RF outside 0..4 or a pool with too few fault domains.</exception>
    public static ObjectClass Select(PoolMap map, ObjectType type, int redundancyFactor,
        FaultDomainLevel level = FaultDomainLevel.Node, RedundancyKind? hint = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        int domains = map.DomainCount(level);
        bool array = type is ObjectType.Array or ObjectType.ByteArray;
        bool wantEc = array || hint == RedundancyKind.ErasureCode;
        bool maxGroups = array || type is ObjectType.KeyValue or ObjectType.KeyValueUInt64 or ObjectType.KeyValueLexical;
        string shape = redundancyFactor switch
        {
            0 when hint == RedundancyKind.ErasureCode => domains >= 18 ? "EC_16P1" : domains >= 10 ? "EC_8P1" : domains >= 6 ? "EC_4P1" : "EC_2P1",
            0 when hint == RedundancyKind.Replication => "RP_2",
            0 => "S",
            1 when wantEc && domains >= 3 => domains >= 18 ? "EC_16P1" : domains >= 10 ? "EC_8P1" : domains >= 6 ? "EC_4P1" : "EC_2P1",
            1 => "RP_2",
            2 when wantEc && domains >= 4 => domains >= 20 ? "EC_16P2" : domains >= 12 ? "EC_8P2" : domains >= 8 ? "EC_4P2" : "EC_2P2",
            2 => "RP_3",
            3 when wantEc && domains >= 10 => domains >= 22 ? "EC_16P3" : domains >= 14 ? "EC_8P3" : "EC_4P3",
            3 => "RP_4",
            4 => "RP_5",
            _ => throw new DaosException(DaosError.InvalidArgument, $"redundancy factor {redundancyFactor} is out of range 0..4"),
        };

        ObjectClass oneGroup = ObjectClass.Parse(shape == "S" ? "S1" : shape + "G1");
        ObjectClass chosen = maxGroups ? oneGroup.WithGroupCount(ObjectClass.MaxGroups) : oneGroup;
        return Resolve(map, chosen, redundancyFactor, level);
    }

    /// <summary>Group size and count of a layout of <paramref name="objectClass"/> on <paramref name="map"/>.</summary>
    internal static (int GroupSize, int GroupCount) Fit(PoolMap map, ObjectClass objectClass, FaultDomainLevel level)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (objectClass.IsUnknown)
        {
            ThrowHelper.InvalidArgument("the unknown object class cannot be placed; select a class first");
        }

        int domains = map.DomainCount(level);
        int groupSize = objectClass.GroupSize;
        if (groupSize > domains)
        {
            ThrowHelper.InvalidArgument(
                $"class {objectClass.Name} needs {groupSize} fault domains per group but the pool has {domains} at the {level} level");
        }

        int groupsMax = Math.Max(1, map.Targets.Count / groupSize);
        int groups = objectClass.IsMaxGroups ? groupsMax : objectClass.GroupCount;
        if (groups > groupsMax)
        {
            ThrowHelper.InvalidArgument(
                $"class {objectClass.Name} needs {groups} groups of {groupSize} but the pool's {map.Targets.Count} targets allow {groupsMax}");
        }

        return (groupSize, groups);
    }
}
