namespace Daos.Vos;

/// <summary>
/// What an array read found: <see cref="Length"/> is the byte count from the start of the read to the end of the
/// last visible record (trailing holes trimmed, 0 when nothing is visible); <see cref="Holes"/> lists, in index order,
/// the record ranges before that end that hold no data. The destination bytes of holes are left untouched.
/// </summary>
/// <param name="Length">Bytes up to the end of the last visible record.</param>
/// <param name="Holes">Record ranges below <paramref name="Length"/> that read as holes.</param>
public sealed record ArrayReadResult(int Length, IReadOnlyList<Extent> Holes);
