using System.CommandLine;
using System.Globalization;
using System.Text;
using Daos.Client;

namespace Daos.Tool.Commands;

/// <summary>
/// <c>daos container</c> (alias <c>cont</c>), the user's container commands over TCP: create, list, query, destroy,
/// get-prop, set-prop, create-snap, list-snap, set-attr, get-attr, list-attrs. Properties use DAOS's names
/// (<c>label</c>, <c>layout_type</c>, <c>rd_fac</c>, <c>oclass</c>, <c>cksum</c>, <c>cksum_size</c>, <c>srv_cksum</c>).
/// </summary>
internal static class DaosCommand
{
    public static Command Create()
    {
        var daos = new Command("daos", "Use a running system: containers, their properties, snapshots and attributes");
        var runner = new ClientCommandRunner(daos);
        var container = new Command("container", "Containers of a pool");
        container.Aliases.Add("cont");
        container.Subcommands.Add(CreateCommand(runner));
        container.Subcommands.Add(ListCommand(runner));
        container.Subcommands.Add(QueryCommand(runner));
        container.Subcommands.Add(DestroyCommand(runner));
        container.Subcommands.Add(GetPropCommand(runner));
        container.Subcommands.Add(SetPropCommand(runner));
        container.Subcommands.Add(CreateSnapCommand(runner));
        container.Subcommands.Add(ListSnapCommand(runner));
        container.Subcommands.Add(SetAttrCommand(runner));
        container.Subcommands.Add(GetAttrCommand(runner));
        container.Subcommands.Add(ListAttrsCommand(runner));
        daos.Subcommands.Add(container);
        return daos;
    }

    private static Argument<string> PoolArgument() => new("pool") { Description = "Pool label or UUID" };

    private static Argument<string> ContainerArgument() => new("container") { Description = "Container label or UUID" };

    private static Command CreateCommand(ClientCommandRunner runner)
    {
        var pool = PoolArgument();
        var label = new Argument<string>("label") { Description = "Label of the new container" };
        var properties = new Option<string?>("--properties") { Description = "Initial properties, as name:value[,name:value...]" };
        var command = new Command("create", "Create a container") { pool, label, properties };
        runner.SetClientAction(command, async (client, result, output, ct) =>
        {
            ContainerProperties initial = ParseProperties(result.GetValue(properties) ?? "");
            await using DaosPool p = await client.ConnectPoolAsync(result.GetValue(pool)!, PoolAccess.ReadWrite, ct).ConfigureAwait(false);
            await using DaosContainer c = await p.CreateContainerAsync(result.GetValue(label)!, initial, ct).ConfigureAwait(false);
            await output.WriteLineAsync($"Container created: {c.Label} {c.Uuid}").ConfigureAwait(false);
        });
        return command;
    }

    private static Command ListCommand(ClientCommandRunner runner)
    {
        var pool = PoolArgument();
        var command = new Command("list", "List the containers of a pool") { pool };
        runner.SetClientAction(command, async (client, result, output, ct) =>
        {
            await using DaosPool p = await client.ConnectPoolAsync(result.GetValue(pool)!, PoolAccess.ReadOnly, ct).ConfigureAwait(false);
            await output.WriteLineAsync("Label                            UUID").ConfigureAwait(false);
            await foreach (ContainerInfo info in p.ListContainersAsync(ct).ConfigureAwait(false))
            {
                await output.WriteLineAsync($"{info.Label,-32} {info.Uuid}").ConfigureAwait(false);
            }
        });
        return command;
    }

    private static Command QueryCommand(ClientCommandRunner runner)
    {
        var pool = PoolArgument();
        var container = ContainerArgument();
        var command = new Command("query", "Show a container's identity, snapshots and open handles") { pool, container };
        runner.SetClientAction(command, async (client, result, output, ct) =>
        {
            await using DaosPool p = await client.ConnectPoolAsync(result.GetValue(pool)!, PoolAccess.ReadOnly, ct).ConfigureAwait(false);
            string name = result.GetValue(container)!;
            ContainerInfo? found = null;
            await foreach (ContainerInfo info in p.ListContainersAsync(ct).ConfigureAwait(false))
            {
                if (info.Label == name || (Guid.TryParse(name, out Guid uuid) && info.Uuid == uuid))
                {
                    found = info;
                }
            }

            if (found is null)
            {
                throw new DaosException(DaosError.NonExistent, $"container '{name}' does not exist in pool {p.Label}");
            }

            await output.WriteLineAsync($"Container {found.Label} {found.Uuid} in pool {p.Label} {p.Uuid}").ConfigureAwait(false);
            await output.WriteLineAsync(Invariant($"  snapshots {found.SnapshotCount}, open handles {found.OpenHandles}")).ConfigureAwait(false);
        });
        return command;
    }

    private static Command DestroyCommand(ClientCommandRunner runner)
    {
        var pool = PoolArgument();
        var container = ContainerArgument();
        var force = new Option<bool>("--force") { Description = "Destroy even with open handles" };
        var command = new Command("destroy", "Destroy a container and its objects") { pool, container, force };
        runner.SetClientAction(command, async (client, result, output, ct) =>
        {
            await using DaosPool p = await client.ConnectPoolAsync(result.GetValue(pool)!, PoolAccess.ReadWrite, ct).ConfigureAwait(false);
            string name = result.GetValue(container)!;
            await p.DestroyContainerAsync(name, result.GetValue(force), ct).ConfigureAwait(false);
            await output.WriteLineAsync($"Container destroyed: {name}").ConfigureAwait(false);
        });
        return command;
    }

    private static Command GetPropCommand(ClientCommandRunner runner)
    {
        var pool = PoolArgument();
        var container = ContainerArgument();
        var command = new Command("get-prop", "Show a container's properties") { pool, container };
        runner.SetClientAction(command, async (client, result, output, ct) =>
        {
            await using DaosPool p = await client.ConnectPoolAsync(result.GetValue(pool)!, PoolAccessFor(ContainerAccess.ReadOnly), ct).ConfigureAwait(false);
            await using DaosContainer c = await p.OpenContainerAsync(result.GetValue(container)!, ContainerAccess.ReadOnly, ct).ConfigureAwait(false);
            ContainerProperties props = await c.GetPropertiesAsync(ct).ConfigureAwait(false);
            await output.WriteLineAsync("Name         Value").ConfigureAwait(false);
            await WritePropertyAsync(output, "label", props.Label).ConfigureAwait(false);
            await WritePropertyAsync(output, "layout_type", props.Type?.ToString().ToLowerInvariant()).ConfigureAwait(false);
            await WritePropertyAsync(output, "rd_fac", props.RedundancyFactor?.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
            await WritePropertyAsync(output, "oclass", props.ObjectClass?.ToString()).ConfigureAwait(false);
            await WritePropertyAsync(output, "cksum", props.Checksum?.ToString().ToLowerInvariant()).ConfigureAwait(false);
            await WritePropertyAsync(output, "cksum_size", props.ChunkSize?.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
            await WritePropertyAsync(output, "srv_cksum", props.ServerVerify is { } verify ? (verify ? "on" : "off") : null).ConfigureAwait(false);
            await WritePropertyAsync(output, "acl", props.Acl is { } acl ? string.Join(' ', acl) : null).ConfigureAwait(false);
        });
        return command;
    }

    private static Command SetPropCommand(ClientCommandRunner runner)
    {
        var pool = PoolArgument();
        var container = ContainerArgument();
        var properties = new Option<string>("--properties") { Description = "Properties to change, as name:value[,name:value...]", Required = true };
        var command = new Command("set-prop", "Change container properties") { pool, container, properties };
        runner.SetClientAction(command, async (client, result, output, ct) =>
        {
            ContainerProperties changes = ParseProperties(result.GetValue(properties)!);
            await using DaosPool p = await client.ConnectPoolAsync(result.GetValue(pool)!, PoolAccessFor(ContainerAccess.ReadWrite), ct).ConfigureAwait(false);
            await using DaosContainer c = await p.OpenContainerAsync(result.GetValue(container)!, ContainerAccess.ReadWrite, ct).ConfigureAwait(false);
            await c.SetPropertiesAsync(changes, ct).ConfigureAwait(false);
            await output.WriteLineAsync($"Properties set on container {c.Label}").ConfigureAwait(false);
        });
        return command;
    }

    private static Command CreateSnapCommand(ClientCommandRunner runner)
    {
        var pool = PoolArgument();
        var container = ContainerArgument();
        var name = new Option<string?>("--snap") { Description = "Snapshot name" };
        var command = new Command("create-snap", "Take a snapshot of a container") { pool, container, name };
        runner.SetClientAction(command, async (client, result, output, ct) =>
        {
            await using DaosPool p = await client.ConnectPoolAsync(result.GetValue(pool)!, PoolAccessFor(ContainerAccess.ReadWrite), ct).ConfigureAwait(false);
            await using DaosContainer c = await p.OpenContainerAsync(result.GetValue(container)!, ContainerAccess.ReadWrite, ct).ConfigureAwait(false);
            Epoch epoch = await c.CreateSnapshotAsync(result.GetValue(name), ct).ConfigureAwait(false);
            await output.WriteLineAsync(Invariant($"Snapshot created: epoch {epoch.Value}")).ConfigureAwait(false);
        });
        return command;
    }

    private static Command ListSnapCommand(ClientCommandRunner runner)
    {
        var pool = PoolArgument();
        var container = ContainerArgument();
        var command = new Command("list-snap", "List a container's snapshots") { pool, container };
        runner.SetClientAction(command, async (client, result, output, ct) =>
        {
            await using DaosPool p = await client.ConnectPoolAsync(result.GetValue(pool)!, PoolAccessFor(ContainerAccess.ReadOnly), ct).ConfigureAwait(false);
            await using DaosContainer c = await p.OpenContainerAsync(result.GetValue(container)!, ContainerAccess.ReadOnly, ct).ConfigureAwait(false);
            await output.WriteLineAsync("Epoch                 Name").ConfigureAwait(false);
            await foreach (SnapshotInfo snapshot in c.ListSnapshotsAsync(ct).ConfigureAwait(false))
            {
                await output.WriteLineAsync(Invariant($"{snapshot.Epoch.Value,-21} {snapshot.Name}")).ConfigureAwait(false);
            }
        });
        return command;
    }

    private static Command SetAttrCommand(ClientCommandRunner runner)
    {
        var pool = PoolArgument();
        var container = ContainerArgument();
        var name = new Argument<string>("name") { Description = "Attribute name" };
        var value = new Argument<string>("value") { Description = "Attribute value (stored as UTF-8)" };
        var command = new Command("set-attr", "Set a user attribute of a container") { pool, container, name, value };
        runner.SetClientAction(command, async (client, result, output, ct) =>
        {
            await using DaosPool p = await client.ConnectPoolAsync(result.GetValue(pool)!, PoolAccessFor(ContainerAccess.ReadWrite), ct).ConfigureAwait(false);
            await using DaosContainer c = await p.OpenContainerAsync(result.GetValue(container)!, ContainerAccess.ReadWrite, ct).ConfigureAwait(false);
            string attribute = result.GetValue(name)!;
            await c.SetAttributeAsync(attribute, Encoding.UTF8.GetBytes(result.GetValue(value)!), ct).ConfigureAwait(false);
            await output.WriteLineAsync($"Attribute set: {attribute}").ConfigureAwait(false);
        });
        return command;
    }

    private static Command GetAttrCommand(ClientCommandRunner runner)
    {
        var pool = PoolArgument();
        var container = ContainerArgument();
        var name = new Argument<string>("name") { Description = "Attribute name" };
        var command = new Command("get-attr", "Print a user attribute of a container") { pool, container, name };
        runner.SetClientAction(command, async (client, result, output, ct) =>
        {
            await using DaosPool p = await client.ConnectPoolAsync(result.GetValue(pool)!, PoolAccessFor(ContainerAccess.ReadOnly), ct).ConfigureAwait(false);
            await using DaosContainer c = await p.OpenContainerAsync(result.GetValue(container)!, ContainerAccess.ReadOnly, ct).ConfigureAwait(false);
            string attribute = result.GetValue(name)!;
            byte[] value = await c.GetAttributeAsync(attribute, ct).ConfigureAwait(false)
                ?? throw new DaosException(DaosError.NonExistent, $"container {c.Label} has no attribute '{attribute}'");
            await output.WriteLineAsync($"{attribute}: {Encoding.UTF8.GetString(value)}").ConfigureAwait(false);
        });
        return command;
    }

    private static Command ListAttrsCommand(ClientCommandRunner runner)
    {
        var pool = PoolArgument();
        var container = ContainerArgument();
        var command = new Command("list-attrs", "List the user attributes of a container") { pool, container };
        runner.SetClientAction(command, async (client, result, output, ct) =>
        {
            await using DaosPool p = await client.ConnectPoolAsync(result.GetValue(pool)!, PoolAccessFor(ContainerAccess.ReadOnly), ct).ConfigureAwait(false);
            await using DaosContainer c = await p.OpenContainerAsync(result.GetValue(container)!, ContainerAccess.ReadOnly, ct).ConfigureAwait(false);
            await foreach (string attribute in c.ListAttributesAsync(ct).ConfigureAwait(false))
            {
                await output.WriteLineAsync(attribute).ConfigureAwait(false);
            }
        });
        return command;
    }

    private static PoolAccess PoolAccessFor(ContainerAccess access) => access == ContainerAccess.ReadOnly ? PoolAccess.ReadOnly : PoolAccess.ReadWrite;

    /// <summary>Parses DAOS's <c>name:value,name:value</c> property list.</summary>
    internal static ContainerProperties ParseProperties(string text)
    {
        var properties = new ContainerProperties();
        foreach (string entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int colon = entry.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new DaosException(DaosError.InvalidArgument, $"property '{entry}' is not name:value");
            }

            string name = entry[..colon].Trim();
            string value = entry[(colon + 1)..].Trim();
            properties = name switch
            {
                "label" => properties with { Label = value },
                "layout_type" or "type" => properties with { Type = EnumOf<ContainerType>(name, value) },
                "rd_fac" or "rf" => properties with { RedundancyFactor = IntOf(name, value) },
                "oclass" => properties with { ObjectClass = ObjectClass.Parse(value) },
                "cksum" => properties with { Checksum = EnumOf<ChecksumType>(name, value) },
                "cksum_size" => properties with { ChunkSize = ClientCommandRunner.ParseSize(value, name) },
                "srv_cksum" => properties with { ServerVerify = value is "on" or "true" or "1" ? true : value is "off" or "false" or "0" ? false : throw Bad(name, value, "on or off") },
                _ => throw new DaosException(DaosError.InvalidArgument, $"unknown property '{name}': use label, layout_type, rd_fac, oclass, cksum, cksum_size or srv_cksum"),
            };
        }

        properties.Validate();
        return properties;
    }

    private static T EnumOf<T>(string name, string value)
        where T : struct, Enum =>
        !int.TryParse(value, out _) && Enum.TryParse(value, ignoreCase: true, out T parsed)
            ? parsed
            : throw Bad(name, value, string.Join(", ", Enum.GetNames<T>()).ToLowerInvariant());

    private static int IntOf(string name, string value) =>
        int.TryParse(value.TrimStart('r', 'd'), NumberStyles.None, CultureInfo.InvariantCulture, out int parsed) ? parsed : throw Bad(name, value, "an integer");

    private static DaosException Bad(string name, string value, string expected) =>
        new(DaosError.InvalidArgument, $"property {name}: '{value}' is not valid; expected {expected}");

    private static Task WritePropertyAsync(TextWriter output, string name, string? value) =>
        output.WriteLineAsync($"{name,-12} {value ?? "(not set)"}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
