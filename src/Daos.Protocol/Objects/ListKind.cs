namespace Daos.Protocol.Objects;

/// <summary>What a listing enumerates.</summary>
public enum ListKind : byte
{
    /// <summary>The object's dkeys.</summary>
    Dkeys = 1,

    /// <summary>The akeys of one dkey.</summary>
    Akeys = 2,

    /// <summary>The visible extents of one array akey, in index order.</summary>
    Extents = 3,
}
