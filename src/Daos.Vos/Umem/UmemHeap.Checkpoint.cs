namespace Daos.Vos.Umem;

internal sealed partial class UmemHeap
{
    private const int CheckpointRunPagesMax = 256;

    /// <summary>
    /// Writes every dirty page, makes them durable (and, through the participants, blob data logged in the WAL),
    /// then records in the superblock the WAL position they cover and
    /// trims the WAL. A crash at any point leaves either the old superblock (replay from the old position covers
    /// every changed byte, over any mixture of old, new and torn pages) or the new one.
    /// </summary>
    private void Checkpoint(bool forCommit = false)
    {
        ThrowIfUnusable();
        if (_txId != 0 && !forCommit)
        {
            throw new InvalidOperationException($"heap '{Name}' cannot checkpoint inside transaction {_txId}");
        }

        if (_replayedBlobWrites is not null)
        {
            throw new InvalidOperationException(
                $"heap '{Name}' cannot checkpoint before its blob store has written back the blob data replayed from the WAL");
        }

        try
        {
            _wal.FlushBatch();
            WriteDirtyPages();
            _heapFile.Flush();
            foreach (ITransactionParticipant participant in _participants)
            {
                // Blob data logged in the records this checkpoint retires must be durable in the blob file first.
                participant.OnCheckpointing();
            }

            WriteSuperblock(_superblock with
            {
                Sequence = _superblock.Sequence + 1,
                CheckpointSequence = _wal.LastSequence,
                CheckpointWalOffset = _wal.Head,
                CheckpointTxId = _lastTxId,
            });
        }
        catch (Exception e)
        {
            _failure ??= e;
            throw;
        }

        _wal.Trim();
        _lastCheckpointTimestamp = _time.GetTimestamp();
        CheckpointCount++;
    }

    private void WriteDirtyPages()
    {
        long page = 0;
        while (page < _image.PageCount)
        {
            if (!_image.IsDirty(page))
            {
                page++;
                continue;
            }

            long first = page;
            while (page < _image.PageCount && _image.IsDirty(page) && page - first < CheckpointRunPagesMax)
            {
                _image.ClearDirty(page);
                page++;
            }

            long offset = first * HeapFormat.PageBytes;
            _heapFile.Write(HeapFormat.ImageOffset + offset, _image.Span(offset, (int)((page - first) * HeapFormat.PageBytes)));
        }
    }
}
