namespace Daos.Client;

/// <summary>
/// Container properties. Each is optional: on create, unset ones take the defaults; on
/// <see cref="DaosContainer.SetPropertiesAsync"/>, only the set ones change; <see cref="DaosContainer.GetPropertiesAsync"/>
/// returns every one set.
/// </summary>
public sealed record ContainerProperties
{
    /// <summary>The label (unique in the pool).</summary>
    public string? Label { get; init; }

    /// <summary>The layout type.</summary>
    public ContainerType? Type { get; init; }

    /// <summary>Concurrent fault-domain failures the container must survive (0..4).</summary>
    public int? RedundancyFactor { get; init; }

    /// <summary>The default object class of <see cref="DaosContainer.AllocateObjectIdAsync"/>.</summary>
    public ObjectClass? ObjectClass { get; init; }

    /// <summary>End-to-end checksum type.</summary>
    public ChecksumType? Checksum { get; init; }

    /// <summary>Checksum chunk size in bytes (DAOS's default 32 KiB).</summary>
    public long? ChunkSize { get; init; }

    /// <summary>Whether the server verifies checksums on update.</summary>
    public bool? ServerVerify { get; init; }

    /// <summary>Access control entries, DAOS form <c>A::user@:rw</c>.</summary>
    public IReadOnlyList<string>? Acl { get; init; }

    /// <summary>Checks values against their ranges.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> naming the property.</exception>
    public void Validate()
    {
        if (Label is not null && (Label.Length == 0 || Label.Length > 127 || Guid.TryParse(Label, out _)))
        {
            ThrowHelper.InvalidArgument($"container label '{Label}' must be 1..127 characters and not a UUID");
        }

        if (RedundancyFactor is < 0 or > 4)
        {
            ThrowHelper.InvalidArgument($"redundancy factor {RedundancyFactor} is outside 0..4");
        }

        if (Type is { } type && !Enum.IsDefined(type))
        {
            ThrowHelper.InvalidArgument($"container type {(int)type} is not defined");
        }

        if (Checksum is { } checksum && !Enum.IsDefined(checksum))
        {
            ThrowHelper.InvalidArgument($"checksum type {(int)checksum} is not defined");
        }

        if (ChunkSize is <= 0)
        {
            ThrowHelper.InvalidArgument($"checksum chunk size {ChunkSize} must be positive");
        }

        if (ObjectClass is { IsUnknown: true })
        {
            ThrowHelper.InvalidArgument("the default object class must be a concrete class");
        }
    }
}
