namespace Daos.Protocol.Containers;

/// <summary>What a <see cref="ContainerAttributeRequest"/> does.</summary>
public enum AttributeOperation : byte
{
    /// <summary>Set (create or replace) an attribute.</summary>
    Set = 1,

    /// <summary>Get an attribute's value.</summary>
    Get = 2,

    /// <summary>List attribute names.</summary>
    List = 3,

    /// <summary>Delete an attribute.</summary>
    Delete = 4,
}
