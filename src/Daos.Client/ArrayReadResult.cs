namespace Daos.Client;

/// <summary>The outcome of <see cref="DaosObject.ReadAsync(ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, long, Memory{byte}, int, ReadOptions?, CancellationToken)"/>, as VOS reports it.</summary>
/// <param name="Length">Bytes up to the end of the last visible record in the range (trailing holes trimmed).</param>
/// <param name="Holes">Record ranges with no visible write; their destination bytes were left untouched.</param>
public readonly record struct ArrayReadResult(int Length, IReadOnlyList<Extent> Holes);
