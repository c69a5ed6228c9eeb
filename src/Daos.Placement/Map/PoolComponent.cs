namespace Daos.Placement.Map;

/// <summary>
/// One entry of the flattened pool map: a domain (root, node, rank) or a target. Domains point at their first
/// child domain and first target by index, so the tree is walked without pointers; the links are derived from the
/// child counts by <see cref="PoolMapLinks"/> and never stored.
/// </summary>
internal struct PoolComponent
{
    public ComponentType Type;
    public TargetStatus Status;

    /// <summary>Reintegrated straight from Down, its data still in place (DAOS's <c>PO_COMPF_DOWN2UP</c>).</summary>
    public bool Down2Up;

    /// <summary>The immutable id: node number, rank number or target id.</summary>
    public int Id;

    /// <summary>The rank that serves this component (targets and ranks); -1 above.</summary>
    public int Rank;

    /// <summary>For a target, its index within its engine.</summary>
    public int Index;

    /// <summary>Failure sequence: the map version at which it went Down or Drain; 1 for an original component.</summary>
    public int Fseq;

    /// <summary>The map version at which it was last brought in (created, extended or reintegrated).</summary>
    public int InVersion;

    /// <summary>The map version at which it was last taken out (DownOut).</summary>
    public int OutVersion;

    /// <summary>Child domains (root and nodes) or targets (ranks): the count that shapes the tree.</summary>
    public int ChildCount;

    /// <summary>Index of the first child domain in the domain array; -1 for ranks. Derived.</summary>
    public int FirstChild;

    /// <summary>Index of the first target under this domain in the target array. Derived.</summary>
    public int FirstTarget;

    /// <summary>Number of targets under this domain. Derived.</summary>
    public int TargetCount;
}
