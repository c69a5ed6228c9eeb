using System.CommandLine;

namespace Daos.Tool.Commands;

/// <summary><c>oid HI.LO</c>: decodes an object id; <c>oid --type T --class C --lo N</c>: encodes one.</summary>
internal static class ObjectIdCommand
{
    public static Command Create()
    {
        var id = new Argument<string?>("id") { Description = "An object id as hi.lo in hex", Arity = ArgumentArity.ZeroOrOne };
        var type = new Option<ObjectType?>("--type") { Description = "Object type, to encode an id" };
        var cls = new Option<string?>("--class") { Description = "Object class, to encode an id" };
        var lo = new Option<ulong>("--lo") { Description = "Low 64 bits, to encode an id" };
        var command = new Command("oid", "Decode an object id, or encode one from type, class and low bits") { id, type, cls, lo };
        command.SetAction(result =>
        {
            ObjectId oid;
            if (result.GetValue(id) is string text)
            {
                oid = ObjectId.Parse(text);
            }
            else if (result.GetValue(type) is ObjectType t && result.GetValue(cls) is string c)
            {
                oid = ObjectId.Create(t, ObjectClass.Parse(c), result.GetValue(lo));
            }
            else
            {
                Console.Error.WriteLine("give an id, or --type and --class");
                return 2;
            }

            Console.WriteLine($"{oid}: type {oid.Type}, class {oid.Class}, user bits 0x{oid.HiUser:x8}, lo 0x{oid.Lo:x}");
            return 0;
        });
        return command;
    }
}
