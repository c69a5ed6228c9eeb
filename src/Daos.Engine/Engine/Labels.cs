namespace Daos.Engine.Engine;

/// <summary>DAOS's label rules (daos_label_is_valid): 1..127 characters of letters, digits, '_', '.', ':' and '-', and not a uuid.</summary>
internal static class Labels
{
    public const int LengthMax = 127;

    public static void Validate(string label, string what)
    {
        if (string.IsNullOrEmpty(label) || label.Length > LengthMax)
        {
            throw new DaosException(DaosError.InvalidArgument, $"{what} label must have 1..{LengthMax} characters");
        }

        foreach (char c in label)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or ':' or '-'))
            {
                throw new DaosException(DaosError.InvalidArgument, $"{what} label '{label}' holds '{c}': only letters, digits, '_', '.', ':' and '-' are allowed");
            }
        }

        if (Guid.TryParse(label, out _))
        {
            throw new DaosException(DaosError.InvalidArgument, $"{what} label '{label}' looks like a uuid");
        }
    }
}
