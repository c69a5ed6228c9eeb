namespace Daos.Client;

/// <summary>The two kinds of akey value, as DAOS's <c>DAOS_IOD_SINGLE</c> and <c>DAOS_IOD_ARRAY</c>.</summary>
public enum IoKind
{
    /// <summary>One value written and read whole.</summary>
    Single = 1,

    /// <summary>An array of fixed-size records addressed by index; each record is atomic.</summary>
    Array = 2,
}
