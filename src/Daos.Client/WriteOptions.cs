namespace Daos.Client;

/// <summary>Options of one write (update or punch).</summary>
/// <remarks>Writes outside a transaction are stamped by the engine with its hybrid logical clock.</remarks>
public sealed record WriteOptions
{
    /// <summary>A condition the target checks before writing; <see cref="WriteCondition.None"/> by default.</summary>
    public WriteCondition Condition { get; init; }

    /// <summary>Unconditional writes outside a transaction: the default.</summary>
    public static WriteOptions Default { get; } = new();
}
