namespace Daos.Vos;

/// <summary>
/// The container-local id of a transaction in the transaction table (DAOS's DTX local id, <c>dae_lid</c>): records
/// changed under it carry it on the heap while they are prepared. Zero is reserved for committed records, so
/// operations refuse it with <see cref="DaosError.InvalidArgument"/>.
/// </summary>
/// <param name="Value">The id; any value but zero.</param>
public readonly record struct VosTransactionId(uint Value)
{
    /// <summary>True for an id an operation accepts (not zero).</summary>
    public bool IsValid => Value != 0;

    /// <inheritdoc/>
    public override string ToString() => $"tx {Value}";
}
