namespace Daos.Placement.Map;

/// <summary>
/// Component types with DAOS's numbering (<c>PO_COMP_TP_*</c>), so that "at or above the fault-domain level" is a
/// plain comparison.
/// </summary>
internal enum ComponentType : byte
{
    Target = 0,
    Rank = 1,
    Node = 2,
    Root = 255,
}
