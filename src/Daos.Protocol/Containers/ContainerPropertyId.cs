namespace Daos.Protocol.Containers;

/// <summary>Container properties carried on the wire (API.md's ContainerProperties list, DAOS_PROP_CO_*).</summary>
public enum ContainerPropertyId : ushort
{
    /// <summary>The label (text).</summary>
    Label = 1,

    /// <summary>The layout type (number: Unknown 0, Posix 1, ...).</summary>
    Type = 2,

    /// <summary>The redundancy factor 0..4 (number).</summary>
    RedundancyFactor = 3,

    /// <summary>The default object class (number: the class id; 0 = let the client choose).</summary>
    ObjectClass = 4,

    /// <summary>The checksum algorithm (number).</summary>
    Checksum = 5,

    /// <summary>The checksum chunk size in bytes (number).</summary>
    ChunkSize = 6,

    /// <summary>Whether the server verifies checksums on update (number 0 or 1).</summary>
    ServerVerify = 7,

    /// <summary>The access control list (text, one entry per line).</summary>
    Acl = 8,
}
