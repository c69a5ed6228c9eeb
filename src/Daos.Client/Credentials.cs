namespace Daos.Client;

/// <summary>
/// Who is calling, as DAOS's AUTH_SYS credential: a user, its groups, and a signature over them that the engine may
/// verify. Pool and container ACLs are evaluated against these principals.
/// </summary>
public sealed record Credentials
{
    /// <summary>Creates a credential.</summary>
    public Credentials(string user, IReadOnlyList<string>? groups = null, ReadOnlyMemory<byte> signature = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        User = user;
        Groups = groups ?? [];
        Signature = signature;
    }

    /// <summary>The user principal (DAOS prints it as <c>user@</c>).</summary>
    public string User { get; }

    /// <summary>The group principals (<c>group@</c>).</summary>
    public IReadOnlyList<string> Groups { get; }

    /// <summary>An opaque signature the engine may check; empty when the system runs without signed credentials.</summary>
    public ReadOnlyMemory<byte> Signature { get; }

    /// <summary>The administrator group: members may create and destroy pools and query the system.</summary>
    public const string AdministratorGroup = "daos_admins";

    /// <summary>The administrator the harness and tools use by default.</summary>
    public static Credentials Administrator { get; } = new("root", [AdministratorGroup]);

    /// <summary>True when <see cref="Groups"/> holds <see cref="AdministratorGroup"/>.</summary>
    public bool IsAdministrator
    {
        get
        {
            foreach (string group in Groups)
            {
                if (group == AdministratorGroup)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
