namespace Daos.Protocol.Objects;

/// <summary>
/// What every object I/O request starts with: the pool, the container and the open container handle the target
/// checks, the requester's pool map version (older than the target's: answered Stale with the newer map), and the
/// object.
/// </summary>
/// <param name="Pool">The pool uuid.</param>
/// <param name="Container">The container uuid.</param>
/// <param name="ContainerHandle">The open container handle.</param>
/// <param name="MapVersion">The requester's pool map version.</param>
/// <param name="Oid">The object.</param>
public readonly record struct ObjectAddress(Guid Pool, Guid Container, Guid ContainerHandle, int MapVersion, ObjectId Oid)
{
    /// <summary>Encoded size: three uuids, the version and the oid.</summary>
    public const int SizeBytes = 16 * 3 + 4 + 16;

    /// <summary>Writes the address.</summary>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteGuid(Pool);
        writer.WriteGuid(Container);
        writer.WriteGuid(ContainerHandle);
        writer.WriteInt32(MapVersion);
        writer.WriteObjectId(Oid);
    }

    /// <summary>Reads an address; a negative map version is malformed.</summary>
    public static ObjectAddress Read(ref ProtocolReader reader)
    {
        Guid pool = reader.ReadGuid();
        Guid container = reader.ReadGuid();
        Guid handle = reader.ReadGuid();
        int version = reader.ReadInt32();
        if (version < 0)
        {
            throw new DaosException(DaosError.Protocol, $"pool map version {version} is negative");
        }

        return new ObjectAddress(pool, container, handle, version, reader.ReadObjectId());
    }
}
