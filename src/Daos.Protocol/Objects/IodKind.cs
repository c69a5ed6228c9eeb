namespace Daos.Protocol.Objects;

/// <summary>How an akey holds its data (DAOS_IOD_SINGLE or DAOS_IOD_ARRAY).</summary>
public enum IodKind : byte
{
    /// <summary>One value replaced as a whole.</summary>
    Single = 1,

    /// <summary>Records addressed by index.</summary>
    Array = 2,
}
