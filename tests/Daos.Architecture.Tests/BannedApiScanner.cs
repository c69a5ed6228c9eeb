using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Daos.Architecture.Tests;

/// <summary>
/// Finds uses of non-deterministic APIs in a compiled assembly by reading its member-reference table: every
/// external method, property accessor or constructor an assembly calls is listed there with its declaring type.
/// </summary>
/// <remarks>
/// A virtual call such as <c>someString.GetHashCode()</c> is emitted against <c>object.GetHashCode</c>, so it cannot be
/// told apart here; the compile-time BannedApiAnalyzers list (eng/BannedSymbols.Deterministic.txt) covers it.
/// </remarks>
internal static class BannedApiScanner
{
    // (declaring type, member name or "*" for any member of the type)
    public static readonly (string Type, string Member)[] Banned =
    [
        ("System.DateTime", "get_Now"),
        ("System.DateTime", "get_UtcNow"),
        ("System.DateTime", "get_Today"),
        ("System.DateTimeOffset", "get_Now"),
        ("System.DateTimeOffset", "get_UtcNow"),
        ("System.TimeProvider", "get_System"),
        ("System.Diagnostics.Stopwatch", "*"),
        ("System.Environment", "get_TickCount"),
        ("System.Environment", "get_TickCount64"),
        ("System.Random", "get_Shared"),
        ("System.Random", ".ctor"),
        ("System.Guid", "NewGuid"),
        ("System.Threading.Tasks.Task", "Delay"),
        ("System.Threading.Tasks.Task", "Run"),
        ("System.Threading.Tasks.TaskFactory", "*"),
        ("System.Threading.Thread", "Sleep"),
        ("System.Threading.Thread", ".ctor"),
        ("System.Threading.ThreadPool", "*"),
        ("System.Threading.Tasks.Parallel", "*"),
        ("System.Threading.Timer", ".ctor"),
        ("System.String", "GetHashCode"),
        ("System.HashCode", "*"),
    ];

    public static IReadOnlyList<string> Scan(string assemblyPath)
    {
        using FileStream stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        MetadataReader reader = pe.GetMetadataReader();
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (MemberReferenceHandle handle in reader.MemberReferences)
        {
            MemberReference member = reader.GetMemberReference(handle);
            string? type = TypeName(reader, member.Parent);
            if (type is null)
            {
                continue;
            }

            string name = reader.GetString(member.Name);
            foreach ((string bannedType, string bannedMember) in Banned)
            {
                if (type == bannedType && (bannedMember == "*" || bannedMember == name))
                {
                    found.Add($"{Path.GetFileName(assemblyPath)} uses {type}.{name}");
                }
            }
        }

        return [.. found];
    }

    private static string? TypeName(MetadataReader reader, EntityHandle parent)
    {
        switch (parent.Kind)
        {
            case HandleKind.TypeReference:
            {
                TypeReference t = reader.GetTypeReference((TypeReferenceHandle)parent);
                return reader.GetString(t.Namespace) + "." + reader.GetString(t.Name);
            }

            case HandleKind.TypeSpecification:
            {
                // Generic instantiations: look at the generic type definition's reference.
                BlobReader blob = reader.GetBlobReader(reader.GetTypeSpecification((TypeSpecificationHandle)parent).Signature);
                if (blob.ReadSignatureTypeCode() == SignatureTypeCode.GenericTypeInstance)
                {
                    _ = blob.ReadSignatureTypeCode();
                    EntityHandle inner = blob.ReadTypeHandle();
                    return inner.Kind == HandleKind.TypeReference ? TypeName(reader, inner) : null;
                }

                return null;
            }

            default:
                return null;
        }
    }
}
