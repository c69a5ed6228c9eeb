namespace Daos.Protocol.Containers;

/// <summary>One property: numeric ones use <see cref="Number"/>, textual ones <see cref="Text"/>.</summary>
/// <param name="Id">Which property.</param>
/// <param name="Number">The numeric value.</param>
/// <param name="Text">The textual value (empty for numeric properties).</param>
public readonly record struct ContainerProperty(ContainerPropertyId Id, ulong Number, string Text)
{
    /// <summary>Whether the property's value is text.</summary>
    public static bool IsText(ContainerPropertyId id) => id is ContainerPropertyId.Label or ContainerPropertyId.Acl;

    internal static void WriteList(ref ProtocolWriter writer, IReadOnlyList<ContainerProperty> properties)
    {
        writer.WriteCount(properties.Count);
        foreach (ContainerProperty property in properties)
        {
            writer.WriteUInt16((ushort)property.Id);
            writer.WriteUInt64(property.Number);
            writer.WriteString(property.Text);
        }
    }

    internal static ContainerProperty[] ReadList(ref ProtocolReader reader)
    {
        int count = reader.ReadCount(ProtocolLimits.PropertiesMax, 2 + 8 + 2);
        var properties = new ContainerProperty[count];
        for (int i = 0; i < count; i++)
        {
            ushort id = reader.ReadUInt16();
            if (id is < (ushort)ContainerPropertyId.Label or > (ushort)ContainerPropertyId.Acl)
            {
                throw new DaosException(DaosError.Protocol, $"unknown container property {id}");
            }

            ulong number = reader.ReadUInt64();
            string text = reader.ReadString(ProtocolLimits.TextBytesMax);
            var propertyId = (ContainerPropertyId)id;
            if (IsText(propertyId) ? number != 0 : text.Length != 0)
            {
                throw new DaosException(DaosError.Protocol, $"container property {propertyId} carries the wrong kind of value");
            }

            for (int j = 0; j < i; j++)
            {
                if (properties[j].Id == propertyId)
                {
                    throw new DaosException(DaosError.Protocol, $"container property {propertyId} appears twice");
                }
            }

            properties[i] = new ContainerProperty(propertyId, number, text);
        }

        return properties;
    }
}
