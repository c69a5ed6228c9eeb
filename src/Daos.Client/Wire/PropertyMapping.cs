using Daos.Protocol.Containers;

namespace Daos.Client.Wire;

/// <summary>Container properties to and from their wire form (id, number, text).</summary>
internal static class PropertyMapping
{
    private const char AclSeparator = '\n';

    public static List<ContainerProperty> ToWire(ContainerProperties properties)
    {
        var list = new List<ContainerProperty>();
        if (properties.Label is { } label)
        {
            list.Add(new ContainerProperty(ContainerPropertyId.Label, 0, label));
        }

        if (properties.Type is { } type)
        {
            list.Add(new ContainerProperty(ContainerPropertyId.Type, (ulong)type, ""));
        }

        if (properties.RedundancyFactor is { } rf)
        {
            list.Add(new ContainerProperty(ContainerPropertyId.RedundancyFactor, (ulong)rf, ""));
        }

        if (properties.ObjectClass is { } objectClass)
        {
            list.Add(new ContainerProperty(ContainerPropertyId.ObjectClass, objectClass.Id, ""));
        }

        if (properties.Checksum is { } checksum)
        {
            list.Add(new ContainerProperty(ContainerPropertyId.Checksum, (ulong)checksum, ""));
        }

        if (properties.ChunkSize is { } chunk)
        {
            list.Add(new ContainerProperty(ContainerPropertyId.ChunkSize, (ulong)chunk, ""));
        }

        if (properties.ServerVerify is { } verify)
        {
            list.Add(new ContainerProperty(ContainerPropertyId.ServerVerify, verify ? 1UL : 0UL, ""));
        }

        if (properties.Acl is { } acl)
        {
            list.Add(new ContainerProperty(ContainerPropertyId.Acl, 0, string.Join(AclSeparator, acl)));
        }

        return list;
    }

    public static ContainerProperties FromWire(IReadOnlyList<ContainerProperty> wire)
    {
        var properties = new ContainerProperties();
        foreach (ContainerProperty p in wire)
        {
            properties = p.Id switch
            {
                ContainerPropertyId.Label => properties with { Label = p.Text },
                ContainerPropertyId.Type => properties with { Type = (ContainerType)Checked(p, 8) },
                ContainerPropertyId.RedundancyFactor => properties with { RedundancyFactor = (int)Checked(p, 4) },
                ContainerPropertyId.ObjectClass => properties with { ObjectClass = p.Number == 0 ? null : ObjectClass.FromId((uint)Checked(p, uint.MaxValue)) },
                ContainerPropertyId.Checksum => properties with { Checksum = (ChecksumType)Checked(p, 7) },
                ContainerPropertyId.ChunkSize => properties with { ChunkSize = (long)Checked(p, long.MaxValue) },
                ContainerPropertyId.ServerVerify => properties with { ServerVerify = Checked(p, 1) == 1 },
                ContainerPropertyId.Acl => properties with { Acl = p.Text.Length == 0 ? [] : p.Text.Split(AclSeparator) },
                _ => properties, // a property this client does not know yet: ignored, as DAOS clients ignore unknown entries
            };
        }

        return properties;
    }

    private static ulong Checked(ContainerProperty property, ulong max) =>
        property.Number <= max
            ? property.Number
            : throw new DaosException(DaosError.Protocol, $"property {property.Id} carries {property.Number}, above {max}");
}
