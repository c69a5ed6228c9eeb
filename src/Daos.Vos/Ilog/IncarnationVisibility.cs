using Daos.Vos.Versioning;

namespace Daos.Vos.Ilog;

/// <summary>
/// What a read at some version sees of one entity (object, dkey or akey), from its incarnation log and the punch
/// bound inherited from its parents.
/// </summary>
/// <param name="Exists">True when a committed creation lies above the effective punch and at or below the read.</param>
/// <param name="PunchBound">Everything at or below this version is hidden (the newest punch of this entity or its
/// parents at or below the read); children inherit it.</param>
/// <param name="Created">The newest committed creation above <see cref="PunchBound"/>, when <see cref="Exists"/>.</param>
/// <param name="HasUncommitted">True when a prepared (uncommitted) event lies at or below the read; a transactional
/// reader must ask its owner, others ignore it.</param>
internal readonly record struct IncarnationView(bool Exists, VersionStamp PunchBound, VersionStamp Created, bool HasUncommitted);

/// <summary>The visibility rules of incarnation logs (DAOS's <c>vos_parse_ilog</c>).</summary>
internal static class IncarnationVisibility
{
    /// <summary>
    /// Evaluates <paramref name="log"/> (sorted by version, oldest first) for a read bounded by
    /// <paramref name="readBound"/> under a parent punch bound of <paramref name="parentPunch"/>.
    /// </summary>
    /// <remarks>
    /// Scanning from the newest event at or below the read: prepared events are noted and skipped; the first
    /// committed punch ends the scan and becomes the punch bound (unless the parent's is newer); committed
    /// creations above it make the entity exist. A punch and a creation in one epoch are ordered by minor epoch.
    /// </remarks>
    public static IncarnationView Evaluate(ReadOnlySpan<IncarnationLogEntry> log, VersionStamp readBound, VersionStamp parentPunch)
    {
        bool uncommitted = false;
        bool exists = false;
        VersionStamp created = VersionStamp.Zero;
        VersionStamp punch = parentPunch;
        for (int i = log.Length - 1; i >= 0; i--)
        {
            IncarnationLogEntry entry = log[i];
            if (entry.Version > readBound)
            {
                continue;
            }

            if (entry.Version <= parentPunch)
            {
                break; // everything older is hidden by the parent's punch
            }

            if (entry.State == IncarnationState.Prepared)
            {
                uncommitted = true;
                continue;
            }

            if (entry.Kind == IncarnationKind.Punch)
            {
                punch = entry.Version;
                break;
            }

            if (!exists)
            {
                exists = true;
                created = entry.Version;
            }
        }

        return new IncarnationView(exists, punch, created, uncommitted);
    }
}
