namespace Daos.Vos.Umem;

/// <summary>What opening a heap found and did.</summary>
/// <param name="RecordsReplayed">WAL records applied to the image.</param>
/// <param name="BytesReplayed">WAL bytes those records occupy (headers and entries).</param>
/// <param name="Elapsed">Time from opening the files to ready, by the heap's <see cref="TimeProvider"/>.</param>
/// <param name="StopReason">Why replay stopped (the first record that failed, or the end of the region).</param>
/// <param name="LastSequence">The last record sequence applied (or the checkpoint's when none was).</param>
internal readonly record struct RecoveryReport(long RecordsReplayed, long BytesReplayed, TimeSpan Elapsed, string StopReason,
    ulong LastSequence);
