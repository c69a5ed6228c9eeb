using Daos.Placement.Map;

namespace Daos.Placement.Layout;

/// <summary>
/// Whether a shard placed on a component must move to a spare in a given mode, and with what flags
/// (DAOS's <c>comp_need_remap</c>, REFERENCE.md 3.6). Changes recorded after <c>allowVersion</c> are treated as
/// not yet having happened.
/// </summary>
internal static class RemapRules
{
    public static bool NeedRemap(in PoolComponent c, int allowVersion, LayoutMode mode, ref RemapFlags flags)
    {
        switch (c.Status)
        {
            case TargetStatus.UpIn:
                return false;
            case TargetStatus.DownOut:
                return true;
        }

        RemapFlags add = RemapFlags.None;
        bool remap = true;
        if (mode == LayoutMode.PreRebuild)
        {
            // The layout as it was before the transition: Down and Drain targets still held their shards.
            if (c.Status == TargetStatus.Down)
            {
                remap = false;
                add = RemapFlags.Rebuilding;
            }
            else if (c.Status == TargetStatus.Drain)
            {
                remap = false;
            }
            else if (c.Status == TargetStatus.Up && c.Down2Up)
            {
                remap = false;
                add = RemapFlags.Rebuilding | RemapFlags.Reintegrating;
            }
        }
        else if (c.Status == TargetStatus.Down)
        {
            if (c.Fseq > allowVersion)
            {
                remap = false;              // a failure after this version: not handled yet
            }
            else
            {
                add = RemapFlags.Rebuilding; // the spare is written to, not read from, until rebuild ends
            }
        }
        else if (c.Status == TargetStatus.Drain)
        {
            if (c.Fseq > allowVersion)
            {
                remap = false;
            }
            else if (mode == LayoutMode.Current)
            {
                add = RemapFlags.HasPeer;   // stays readable here while the copy is made
                remap = false;
            }
        }
        else if (c.Status == TargetStatus.Up)
        {
            if (c.InVersion > allowVersion)
            {
                // Reintegrated after this version: still out, use the fallback.
            }
            else if (c.Down2Up)
            {
                add = RemapFlags.Rebuilding | RemapFlags.Reintegrating;
                remap = false;
            }
            else if (mode == LayoutMode.Current)
            {
                add = RemapFlags.HasPeer;   // I/O goes to the fallback while the target is refilled
            }
            else
            {
                remap = false;
            }
        }

        flags |= add;
        return remap;
    }

    /// <summary>Hidden from jump hashing: New, or newly added and Up outside PostRebuild (DAOS's <c>comp_is_skipped</c>).</summary>
    public static bool IsSkipped(in PoolComponent c, int allowVersion, LayoutMode mode)
    {
        if (c.Status == TargetStatus.New)
        {
            return true;
        }

        return c.Status == TargetStatus.Up && c.Fseq <= 1 && (c.InVersion > allowVersion || mode != LayoutMode.PostRebuild);
    }
}
