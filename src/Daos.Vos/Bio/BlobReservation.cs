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
