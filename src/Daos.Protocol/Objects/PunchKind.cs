namespace Daos.Protocol.Objects;

/// <summary>What a punch removes.</summary>
public enum PunchKind : byte
{
    /// <summary>The whole object.</summary>
    Object = 1,

    /// <summary>One dkey and everything under it.</summary>
    Dkey = 2,

    /// <summary>One akey.</summary>
    Akey = 3,

    /// <summary>A range of records of an array akey.</summary>
    Extents = 4,
}
