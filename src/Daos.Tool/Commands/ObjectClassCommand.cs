using System.CommandLine;
using System.Globalization;

namespace Daos.Tool.Commands;

/// <summary><c>oclass NAME [--targets N --domains D --rf R]</c>: describes an object class and resolves X.</summary>
internal static class ObjectClassCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "A DAOS object class name, such as RP_3GX or EC_4P2G1" };
        var targets = new Option<int?>("--targets") { Description = "Targets in the pool, to resolve an X class" };
        var domains = new Option<int?>("--domains") { Description = "Fault domains in the pool (default: targets)" };
        var rf = new Option<int>("--rf") { Description = "Container redundancy factor (0..4)", DefaultValueFactory = _ => 0 };
        var command = new Command("oclass", "Describe an object class and, given a pool size, resolve its X group count")
        {
            name, targets, domains, rf,
        };
        command.SetAction(result =>
        {
            ObjectClass c = ObjectClass.Parse(result.GetValue(name)!);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{c.Name}: id 0x{c.Id:x8}, {c.Redundancy}, group size {c.GroupSize}, groups {(c.IsMaxGroups ? "X" : c.GroupCount.ToString(CultureInfo.InvariantCulture))}, tolerates {c.FaultsTolerated} failure(s) per group"));
            if (result.GetValue(targets) is int t)
            {
                ObjectClass resolved = c.ResolveMaxGroups(t, result.GetValue(domains) ?? t, result.GetValue(rf));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"on {t} targets: {resolved.Name} ({resolved.GroupCount * resolved.GroupSize} shards)"));
            }

            return 0;
        });
        return command;
    }
}
