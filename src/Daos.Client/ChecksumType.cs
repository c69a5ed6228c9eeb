namespace Daos.Client;

/// <summary>The end-to-end checksum of a container, as DAOS's <c>cksum</c> property.</summary>
public enum ChecksumType
{
    /// <summary>No checksums (DAOS's default).</summary>
    Off = 0,

    /// <summary>CRC-16.</summary>
    Crc16 = 1,

    /// <summary>CRC-32.</summary>
    Crc32 = 2,

    /// <summary>CRC-64.</summary>
    Crc64 = 3,

    /// <summary>SHA-1.</summary>
    Sha1 = 4,

    /// <summary>SHA-256.</summary>
    Sha256 = 5,

    /// <summary>SHA-512.</summary>
    Sha512 = 6,

    /// <summary>Adler-32.</summary>
    Adler32 = 7,
}
