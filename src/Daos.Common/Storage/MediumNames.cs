namespace Daos.Storage;

/// <summary>Validation of file names shared by every medium, so the simulated one refuses what the real one would.</summary>
public static class MediumNames
{
    /// <summary>The longest file name accepted.</summary>
    public const int NameLengthMax = 200;

    /// <summary>Throws unless <paramref name="name"/> is a plain file name (no separators, no dots-only names).</summary>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> naming the bad name.</exception>
    public static void Validate(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > NameLengthMax || name is "." or ".."
            || name.AsSpan().IndexOfAny('/', '\\', '\0') >= 0)
        {
            throw new DaosException(DaosError.InvalidArgument,
                $"invalid medium file name '{name}': expected 1..{NameLengthMax} characters without path separators");
        }
    }
}
