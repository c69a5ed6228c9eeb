namespace Daos.Vos;

/// <summary>
/// A transaction with prepared records in a container: what a restarted engine needs to resolve it (commit or abort
/// by <see cref="Id"/>, once the transaction's coordinator says which).
/// </summary>
/// <param name="Id">The transaction.</param>
/// <param name="LowestEpoch">The lowest epoch of its prepared records.</param>
/// <param name="HighestEpoch">The highest epoch of its prepared records.</param>
/// <param name="RecordCount">How many records it has prepared in the container.</param>
public sealed record VosPreparedTransaction(VosTransactionId Id, Epoch LowestEpoch, Epoch HighestEpoch, int RecordCount);
