namespace Daos.Protocol;

/// <summary>Limits every decoder enforces; requests over them are refused before anything is allocated.</summary>
public static class ProtocolLimits
{
    /// <summary>Longest dkey or akey (DAOS keeps keys small; records go in values).</summary>
    public const int KeySizeBytesMax = 4096;

    /// <summary>Longest value or data payload in one message (below the transport's default 4 MiB frame).</summary>
    public const int ValueSizeBytesMax = 4 * 1024 * 1024 - 64 * 1024;

    /// <summary>Most I/O descriptors (akeys) in one update or fetch.</summary>
    public const int IodsMax = 1024;

    /// <summary>Most entries one listing page may return.</summary>
    public const int PageSizeMax = 4096;

    /// <summary>Longest pool or container label (DAOS_PROP_LABEL_MAX_LEN).</summary>
    public const int LabelBytesMax = 127;

    /// <summary>Longest label-or-uuid argument, system name or address.</summary>
    public const int NameBytesMax = 256;

    /// <summary>Longest attribute name.</summary>
    public const int AttributeNameBytesMax = 255;

    /// <summary>Longest attribute value.</summary>
    public const int AttributeValueBytesMax = 64 * 1024;

    /// <summary>Longest serialized pool map carried in a message.</summary>
    public const int PoolMapBytesMax = 16 * 1024 * 1024;

    /// <summary>Most ranks named in one message.</summary>
    public const int RanksMax = 65536;

    /// <summary>Most containers, pools, snapshots or attributes in one listing.</summary>
    public const int ListEntriesMax = 65536;

    /// <summary>Most properties in one property list.</summary>
    public const int PropertiesMax = 64;

    /// <summary>Longest text of an error reply or a property's text value.</summary>
    public const int TextBytesMax = 4096;

    /// <summary>Most holes reported for one array read.</summary>
    public const int HolesMax = 1 << 20;

    /// <summary>Largest record size of an array akey.</summary>
    public const int RecordSizeBytesMax = 1 << 20;
}
