using System.Buffers;
using Daos.Vos.Bio;
using Daos.Vos.Evtree;
using Daos.Vos.Umem;
using Daos.Vos.Versioning;

namespace Daos.Vos.Store;

/// <summary>
/// Aggregation's extent merging: the visible parts of old array writes rewritten as new records, the old records
/// and their blob blocks freed (REFERENCE.md 1.9 and 2.6-2.7; DAOS vos_aggregate with evt coalescing).
/// </summary>
internal sealed partial class ContainerStore
{
    /// <summary>Largest array record aggregation writes when it merges extents.</summary>
    private const int MergeBytesMax = 1 << 20;

    /// <summary>Merged records per heap transaction.</summary>
    private const int MergeSliceRecords = 16;

    /// <summary>
    /// Rewrites the visible parts of old array entries as merged records, akey by akey (REFERENCE.md 2.6-2.7, DAOS
    /// vos_aggregate): every run of adjacent visible records at <paramref name="bound"/> that comes from more than one
    /// entry, or from part of one, becomes records of at most <see cref="MergeBytesMax"/> bytes. Returns how many
    /// old entries were freed.
    /// </summary>
    private async ValueTask<long> MergeExtentsAsync(VersionStamp bound)
    {
        var akeys = new List<(ObjectId Oid, byte[] Dkey, byte[] Akey)>();
        foreach (ObjectId oid in IndexedObjects())
        {
            ObjectState o = GetOrLoad(oid);
            LoadAllDkeys(o);
            foreach ((byte[] dkey, DkeyState d) in o.Dkeys)
            {
                foreach ((byte[] akey, AkeyState a) in d.Akeys)
                {
                    if (a.Extents.Count > 1 && a.RecordSize > 0)
                    {
                        akeys.Add((oid, dkey, akey));
                    }
                }
            }
        }

        long freed = 0;
        foreach ((ObjectId oid, byte[] dkey, byte[] akey) in akeys)
        {
            long? n = await MergeAkeyAsync(oid, dkey, akey, bound).ConfigureAwait(false);
            if (n is null)
            {
                break; // no room to write merged records: leave the rest to the removal pass
            }

            freed += n.Value;
        }

        return freed;
    }

    /// <summary>
    /// Merges one akey's runs. A merged record takes a fresh minor epoch at the epoch of the newest entry it draws
    /// from: newer than every old entry under it, older than anything above the bound, so it reads exactly as the
    /// runs did. An old entry is freed in the transaction that writes the last merged record covering what was
    /// visible of it; an entry that one crash leaves behind is invisible and goes at the next aggregation.
    /// Returns null when space ran out (nothing of that slice was written).
    /// </summary>
    private async ValueTask<long?> MergeAkeyAsync(ObjectId oid, byte[] dkey, byte[] akey, VersionStamp bound)
    {
        AkeyState? a = FindAkey(oid, dkey, akey);
        if (a is null || a.Extents.Count < 2 || a.RecordSize <= 0)
        {
            return 0;
        }

        int recordSize = a.RecordSize;
        _visible.Clear();
        _resolver.Resolve(a.Extents, 0, long.MaxValue, bound, PunchBound(oid, dkey, akey, bound), _visible);
        VisibleExtent[] pieces = [.. _visible];

        // What is visible of each entry, and which runs of adjacent data pieces need rewriting.
        var visibleLeft = new Dictionary<long, long>();
        var chunks = new List<(long Index, long Count, int FirstPiece, int EndPiece)>();
        long chunkRecords = Math.Max(1, MergeBytesMax / recordSize);
        int runStart = 0;
        for (int i = 0; i <= pieces.Length; i++)
        {
            if (i < pieces.Length && !pieces[i].IsHole)
            {
                visibleLeft[pieces[i].Entry.Source] = visibleLeft.GetValueOrDefault(pieces[i].Entry.Source) + pieces[i].Count;
            }

            bool continues = i < pieces.Length && !pieces[i].IsHole && i > runStart && !pieces[i - 1].IsHole
                && pieces[i - 1].End == pieces[i].Index;
            if (continues)
            {
                continue;
            }

            // pieces[runStart, i) is a run (when it holds data).
            if (i > runStart && !pieces[runStart].IsHole
                && (i - runStart > 1 || pieces[runStart].Count < pieces[runStart].Entry.Count))
            {
                CutRun(pieces, runStart, i, chunkRecords, chunks);
            }

            runStart = i;
        }

        // A slice: up to MergeSliceRecords merged records drawing on up to SliceRecords pieces (so it frees at most
        // that many old entries), or one merged record.
        long freed = 0;
        for (int first = 0, end; first < chunks.Count; first = end)
        {
            int pieceCount = 0;
            for (end = first; end < chunks.Count && end - first < MergeSliceRecords; end++)
            {
                int n = chunks[end].EndPiece - chunks[end].FirstPiece;
                if (end > first && pieceCount + n > SliceRecords)
                {
                    break;
                }

                pieceCount += n;
            }

            int? removed = await MergeSliceAsync(oid, dkey, akey, recordSize, pieces, chunks.GetRange(first, end - first), visibleLeft)
                .ConfigureAwait(false);
            if (removed is null)
            {
                return null;
            }

            freed += removed.Value;
        }

        return freed;
    }

    /// <summary>
    /// Cuts the run <c>pieces[from, to)</c> into merged records of at most <paramref name="chunkRecords"/> records
    /// that draw on at most <see cref="SliceRecords"/> pieces each.
    /// </summary>
    private static void CutRun(VisibleExtent[] pieces, int from, int to, long chunkRecords,
        List<(long Index, long Count, int FirstPiece, int EndPiece)> chunks)
    {
        long start = pieces[from].Index;
        int first = from;
        for (int p = from; p < to; p++)
        {
            while (pieces[p].End - start > chunkRecords)
            {
                chunks.Add((start, chunkRecords, first, p + 1));
                start += chunkRecords;
                first = p;
            }

            if (p + 1 - first == SliceRecords || p == to - 1)
            {
                chunks.Add((start, pieces[p].End - start, first, p + 1));
                start = pieces[p].End;
                first = p + 1;
            }
        }
    }

    private async ValueTask<int?> MergeSliceAsync(ObjectId oid, byte[] dkey, byte[] akey, int recordSize, VisibleExtent[] pieces,
        List<(long Index, long Count, int FirstPiece, int EndPiece)> chunks, Dictionary<long, long> visibleLeft)
    {
        var merged = new List<(VersionStamp Version, long Index, long Count, BlobReservation? Blob, byte[] Data, int Length)>();
        var victims = new List<long>();
        var done = new List<long>();
        try
        {
            foreach ((long index, long count, int firstPiece, int endPiece) in chunks)
            {
                int length = checked((int)(count * recordSize));
                byte[] data = ArrayPool<byte>.Shared.Rent(length);
                VersionStamp newest = VersionStamp.Zero;
                for (int p = firstPiece; p < endPiece; p++)
                {
                    VisibleExtent piece = pieces[p];
                    long from = Math.Max(piece.Index, index), to = Math.Min(piece.End, index + count);
                    if (from >= to)
                    {
                        continue;
                    }

                    newest = Max(newest, piece.Entry.Version);
                    await ReadValueAsync(Decode(piece.Entry.Source), (piece.OffsetInEntry + from - piece.Index) * recordSize,
                        data.AsMemory((int)((from - index) * recordSize), (int)((to - from) * recordSize))).ConfigureAwait(false);
                    long left = visibleLeft[piece.Entry.Source] -= to - from;
                    if (left == 0)
                    {
                        victims.Add(piece.Entry.Source);
                    }
                }

                BlobReservation? blob = await WriteBlobAsync(data.AsMemory(0, length)).ConfigureAwait(false);
                merged.Add((NextVersion(oid, dkey, new Epoch(newest.Epoch)), index, count, blob, data, length));
            }

            var batch = new List<Decoded>(victims.Count);
            UmemTransaction tx = _heap.Begin();
            try
            {
                foreach ((VersionStamp version, long index, long count, BlobReservation? blob, byte[] data, int length) in merged)
                {
                    if (blob is not null)
                    {
                        _blob.Publish(tx, blob);
                    }

                    done.Add(Append(tx, RecordKind.ArrayExtent, blob is null ? (byte)0 : RecordFormat.FlagInBlob, version, oid, dkey, akey,
                        length, index, count, recordSize, blob?.StartBlock ?? 0, blob is null ? data.AsSpan(0, length) : default, 0));
                }

                foreach (long at in victims)
                {
                    batch.Add(Decode(at));
                    Unlink(tx, at);
                }
            }
            catch
            {
                tx.Abort();
                throw;
            }

            await tx.CommitAsync().ConfigureAwait(false);
            MergedRecordCount += done.Count;
            foreach (long at in done)
            {
                Index(Decode(at), at);
            }

            foreach (Decoded d in batch)
            {
                Unindex(d);
            }

            return victims.Count;
        }
        catch (Exception e)
        {
            for (int i = merged.Count - 1; i >= 0; i--)
            {
                if (merged[i].Blob is { State: BlobReservationState.Reserved } blob)
                {
                    _blob.Cancel(blob);
                }

                ForgetVersion(oid, dkey, merged[i].Version);
            }

            if (e is DaosException { Error: DaosError.NoSpace })
            {
                return null;
            }

            throw;
        }
        finally
        {
            foreach ((_, _, _, _, byte[] data, _) in merged)
            {
                ArrayPool<byte>.Shared.Return(data);
            }
        }
    }
}
