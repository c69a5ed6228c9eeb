namespace Daos.Vos.Umem;

/// <summary>
/// The blob writes a WAL replay found that must be written to the blob file again: every logged write
/// (<see cref="WalFormat.OpBlobWrite"/>) in the replayed records, minus the blocks a later record freed
/// (<see cref="WalFormat.OpBlobFree"/>). A freed block may have been reused by a write that went straight to the
/// blob file (made durable before its record, so not logged): replaying the older logged bytes over it would
/// destroy that newer value, so a free cuts them out. Holds positions in the WAL file, not the data.
/// </summary>
/// <remarks>
/// Each write covers whole blocks: its last block is padded with zeros when written, as when it was first written.
/// </remarks>
internal sealed class BlobReplayLog
{
    private readonly List<BlobReplayWrite> _writes = [];

    /// <summary>Writes to apply, in WAL order (a later one wins where two overlap).</summary>
    public IReadOnlyList<BlobReplayWrite> Writes => _writes;

    /// <summary>Bytes of logged data left to apply.</summary>
    public long Bytes { get; private set; }

    public void Write(long firstBlock, int lengthBytes, long walOffset)
    {
        _writes.Add(new BlobReplayWrite(firstBlock, lengthBytes, walOffset));
        Bytes += lengthBytes;
    }

    /// <summary>Cuts blocks [<paramref name="firstBlock"/>, +<paramref name="blockCount"/>) out of every earlier write.</summary>
    public void Free(long firstBlock, long blockCount)
    {
        long end = firstBlock + blockCount;
        for (int i = _writes.Count - 1; i >= 0; i--)
        {
            BlobReplayWrite w = _writes[i];
            if (w.EndBlock <= firstBlock || w.FirstBlock >= end)
            {
                continue;
            }

            // Keep the parts outside the freed range in the write's place in the order.
            _writes.RemoveAt(i);
            Bytes -= w.LengthBytes;
            if (w.EndBlock > end)
            {
                long skip = (end - w.FirstBlock) * BlockBytes;
                Insert(i, end, (int)(w.LengthBytes - skip), w.WalOffset + skip);
            }

            if (w.FirstBlock < firstBlock)
            {
                Insert(i, w.FirstBlock, (int)((firstBlock - w.FirstBlock) * BlockBytes), w.WalOffset);
            }
        }
    }

    private void Insert(int index, long firstBlock, int lengthBytes, long walOffset)
    {
        _writes.Insert(index, new BlobReplayWrite(firstBlock, lengthBytes, walOffset));
        Bytes += lengthBytes;
    }

    // The blob's block size; the heap layer does not reference the blob store's format.
    internal const int BlockBytes = 4096;
}

/// <summary>One logged blob write to apply again: <paramref name="LengthBytes"/> bytes at WAL file offset
/// <paramref name="WalOffset"/> go to data block <paramref name="FirstBlock"/> onwards.</summary>
internal readonly record struct BlobReplayWrite(long FirstBlock, int LengthBytes, long WalOffset)
{
    public long EndBlock => FirstBlock + (LengthBytes + BlobReplayLog.BlockBytes - 1) / BlobReplayLog.BlockBytes;
}
