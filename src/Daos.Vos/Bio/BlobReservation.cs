namespace Daos.Vos.Bio;

/// <summary>
/// Blocks of the blob file held in memory for one write: invisible to other reservations, not yet recorded in
/// the heap. <see cref="BlobStore.Publish"/> records them inside a heap transaction; <see cref="BlobStore.Cancel"/>
/// gives them back. A crash before the publish commits leaks nothing: the heap never knew.
/// </summary>
internal sealed class BlobReservation
{
    internal BlobReservation(long startBlock, long blockCount)
    {
        StartBlock = startBlock;
        BlockCount = blockCount;
    }

    /// <summary>First data block (block 0 is the first block after the blob header).</summary>
    public long StartBlock { get; }

    public long BlockCount { get; }

    public BlobReservationState State { get; internal set; } = BlobReservationState.Reserved;

    /// <summary>
    /// Data staged for logging: written to the blob file but not made durable there; <see cref="BlobStore.Publish"/>
    /// copies it into the transaction's WAL record instead. Caller memory, held only until publish or cancel.
    /// </summary>
    internal ReadOnlyMemory<byte> LoggedData { get; set; }

    /// <summary>Data was written into the reservation that must be durable in the blob file before it is published.</summary>
    internal bool NeedsDurableData { get; set; }
}

/// <summary>Where a reservation stands.</summary>
internal enum BlobReservationState
{
    Reserved,
    PublishPending,
    Published,
    Canceled,
}

/// <summary>Blob space in 4 KiB blocks.</summary>
/// <param name="TotalBlocks">Data blocks of the blob file.</param>
/// <param name="FreeBlocks">Blocks free in the heap's index (committed).</param>
/// <param name="ReservedBlocks">Blocks held by reservations not yet published or canceled.</param>
internal readonly record struct BlobSpace(long TotalBlocks, long FreeBlocks, long ReservedBlocks)
{
    public long UsedBlocks => TotalBlocks - FreeBlocks;
}
