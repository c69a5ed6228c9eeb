namespace Daos.Placement;

/// <summary>
/// Which layout to compute while the pool map is in transition (DAOS's <c>layout_gen_mode</c>). They differ only
/// for components in Down, Drain and Up states (REFERENCE.md 3.6).
/// </summary>
public enum LayoutMode
{
    /// <summary>The layout before the current rebuild or migration: where the data is now.</summary>
    PreRebuild,

    /// <summary>The layout for I/O now: failed targets replaced by spares, migrations written to both homes.</summary>
    Current,

    /// <summary>The layout once the current rebuild or migration has completed: where the data is going.</summary>
    PostRebuild,
}
