using Daos.Storage;

namespace Daos.Vos.Umem;

internal sealed partial class UmemHeap
{
    /// <summary>Creates a new heap (files <c>{name}.heap</c> and <c>{name}.wal</c>) and formats its allocator.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.Exists"/> when the heap file exists.</exception>
    public static UmemHeap Create(IStorageMedium medium, string name, UmemOptions options)
    {
        options.Validate();
        string heapName = HeapFileName(name), walName = WalFileName(name);
        if (medium.FileExists(heapName))
        {
            throw new DaosException(DaosError.Exists, $"heap '{heapName}' already exists on {medium.Location}");
        }

        ulong heapId = options.HeapId != 0 ? options.HeapId : DeriveHeapId(options.TimeProvider, name);
        IMediumFile walFile = medium.OpenFile(walName, MediumOpenMode.OpenOrCreate);
        IMediumFile heapFile = medium.OpenFile(heapName, MediumOpenMode.CreateNew);
        var image = new HeapImage(options.HeapSizeBytes);
        try
        {
            walFile.SetLength(0);
            walFile.SetLength(options.WalSizeBytes);
            if (medium is FileMedium)
            {
                // On a real file system, write the whole record region once so that commits overwrite allocated
                // blocks: a barrier after a write into a hole must also commit the file system's block allocation.
                // (A simulated medium has no allocation to pay for, and its files stay sparse in memory.)
                byte[] zeros = new byte[(int)Math.Min(1L << 20, options.WalSizeBytes)];
                for (long at = WalFormat.HeaderBlockBytes; at < options.WalSizeBytes; at += zeros.Length)
                {
                    walFile.Write(at, zeros.AsSpan(0, (int)Math.Min(zeros.Length, options.WalSizeBytes - at)));
                }
            }

            byte[] header = new byte[WalFormat.HeaderBlockBytes];
            WalFormat.WriteHeader(header, heapId, options.WalSizeBytes);
            walFile.Write(0, header);
            walFile.Flush();
            heapFile.SetLength(HeapFormat.ImageOffset + options.HeapSizeBytes);
            UmemAllocator.Format(image, options.ChunkSizeBytes);
            var sb = new Superblock
            {
                FormatVersion = HeapFormat.Version,
                HeapId = heapId,
                HeapSizeBytes = options.HeapSizeBytes,
                WalSizeBytes = options.WalSizeBytes,
                Sequence = 0,
                CheckpointSequence = 0,
                CheckpointWalOffset = WalFormat.RecordsOffset,
                Incarnation = 1,
                CheckpointTxId = 0,
            };
            var wal = new WriteAheadLog(walFile, options.WalSizeBytes, heapId, sb.Incarnation, 0, WalFormat.RecordsOffset, 0);
            var heap = new UmemHeap(medium, name, options, heapFile, image, wal, sb, 0);
            // The superblock is written last: a crash before it leaves a file that fails to open as "not a heap".
            heap.WriteDirtyPages();
            heap._heapFile.Flush();
            heap.WriteSuperblock(sb with { Sequence = 1 });
            medium.SyncDirectory();
            heap.Allocator.Rebuild();
            return heap;
        }
        catch
        {
            walFile.Dispose();
            heapFile.Dispose();
            image.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens a heap and recovers it: validates the superblocks and the WAL header, loads the image, replays the WAL
    /// from the checkpoint to the first bad record. Bad input throws before anything is written.
    /// </summary>
    public static UmemHeap Open(IStorageMedium medium, string name, UmemOptions options)
    {
        long started = options.TimeProvider.GetTimestamp();
        string heapName = HeapFileName(name), walName = WalFileName(name);
        if (!medium.FileExists(heapName))
        {
            throw new DaosException(DaosError.NonExistent, $"heap '{heapName}' does not exist on {medium.Location}");
        }

        IMediumFile heapFile = medium.OpenFile(heapName, MediumOpenMode.OpenExisting);
        IMediumFile? walFile = null;
        HeapImage? image = null;
        try
        {
            Superblock sb = ReadSuperblock(heapFile, heapName);
            if (heapFile.Length < HeapFormat.ImageOffset + sb.HeapSizeBytes)
            {
                throw new DaosException(DaosError.DurableFormatInvalid,
                    $"heap '{heapName}' is truncated: {heapFile.Length} bytes, its superblock needs {HeapFormat.ImageOffset + sb.HeapSizeBytes}");
            }

            if (!medium.FileExists(walName))
            {
                throw new DaosException(DaosError.NonExistent, $"WAL '{walName}' of heap '{heapName}' is missing");
            }

            walFile = medium.OpenFile(walName, MediumOpenMode.OpenExisting);
            byte[] header = new byte[WalFormat.HeaderBytes];
            if (walFile.Read(0, header) < WalFormat.HeaderBytes)
            {
                throw new DaosException(DaosError.DurableFormatInvalid, $"WAL '{walName}' is truncated: it has no header");
            }

            WalFormat.ValidateHeader(header, sb, walName);
            uint walVersion = WalFormat.ReadVersion(header);
            if (walFile.Length < sb.WalSizeBytes)
            {
                throw new DaosException(DaosError.DurableFormatInvalid,
                    $"WAL '{walName}' is truncated: {walFile.Length} bytes of {sb.WalSizeBytes}");
            }

            image = new HeapImage(sb.HeapSizeBytes);
            LoadImage(heapFile, image);
            var blobLog = new BlobReplayLog();
            ReplayResult replay = WalReplay.Run(walFile, sb, image, blobLog);
            UmemAllocator.ValidateFormat(image, heapName);

            // Everything is validated; from here on the files change. A new incarnation, durable before any record
            // of this run is written, lets a later replay tell this run's records from stale ones of earlier runs.
            Superblock next = sb with { Incarnation = sb.Incarnation + 1 };
            var wal = new WriteAheadLog(walFile, sb.WalSizeBytes, sb.HeapId, next.Incarnation, replay.LastSequence,
                replay.Head, replay.UsedBytes);
            if (walVersion != WalFormat.Version)
            {
                // This run may write entries an older reader does not know: say so in the header first.
                byte[] block = new byte[WalFormat.HeaderBlockBytes];
                WalFormat.WriteHeader(block, sb.HeapId, sb.WalSizeBytes);
                walFile.Write(0, block.AsSpan(0, WalFormat.HeaderBytes));
                walFile.Flush();
            }

            var heap = new UmemHeap(medium, name, options, heapFile, image, wal, sb, replay.LastTxId);
            heap._replayedBlobWrites = blobLog.Writes.Count > 0 ? blobLog : null;
            heap.WriteSuperblock(next with { Sequence = sb.Sequence + 1 });
            heap.Allocator.Rebuild();
            heap.Recovery = new RecoveryReport(replay.Records, replay.Bytes,
                options.TimeProvider.GetElapsedTime(started), replay.StopReason, replay.LastSequence);
            return heap;
        }
        catch
        {
            walFile?.Dispose();
            heapFile.Dispose();
            image?.Dispose();
            throw;
        }
    }

    private static Superblock ReadSuperblock(IMediumFile file, string heapName)
    {
        byte[] slots = new byte[2 * HeapFormat.SlotBytes];
        int read = file.Read(0, slots);
        SlotStatus a = HeapFormat.TryRead(slots.AsSpan(0, Math.Min(read, HeapFormat.SlotBytes)), out Superblock sa);
        Superblock sbB = default;
        SlotStatus b = read > HeapFormat.SlotBytes
            ? HeapFormat.TryRead(slots.AsSpan(HeapFormat.SlotBytes, read - HeapFormat.SlotBytes), out sbB)
            : SlotStatus.NoMagic;

        if (a == SlotStatus.NewerVersion || b == SlotStatus.NewerVersion)
        {
            uint version = a == SlotStatus.NewerVersion ? sa.FormatVersion : sbB.FormatVersion;
            throw new DaosException(DaosError.DurableFormatIncompatible,
                $"heap '{heapName}' has format version {version}; this build reads version {HeapFormat.Version}");
        }

        if (a == SlotStatus.Valid && b == SlotStatus.Valid)
        {
            if (sa.HeapId != sbB.HeapId || sa.HeapSizeBytes != sbB.HeapSizeBytes || sa.WalSizeBytes != sbB.WalSizeBytes)
            {
                throw new DaosException(DaosError.Corrupted, $"the two superblocks of heap '{heapName}' describe different heaps");
            }

            return sa.Sequence >= sbB.Sequence ? sa : sbB;
        }

        if (a == SlotStatus.Valid)
        {
            return sa;
        }

        if (b == SlotStatus.Valid)
        {
            return sbB;
        }

        if (a == SlotStatus.NoMagic && b == SlotStatus.NoMagic)
        {
            throw new DaosException(DaosError.DurableFormatInvalid,
                read < HeapFormat.ImageOffset && read > 0
                    ? $"'{heapName}' is not a Daos.NET heap (no superblock magic; the file has only {read} bytes)"
                    : $"'{heapName}' is not a Daos.NET heap (no superblock magic)");
        }

        throw new DaosException(DaosError.Corrupted,
            $"both superblocks of heap '{heapName}' are damaged (slot A: {a}, slot B: {b})");
    }

    private static void LoadImage(IMediumFile file, HeapImage image)
    {
        const int step = 1 << 20;
        for (long at = 0; at < image.SizeBytes; at += step)
        {
            int n = (int)Math.Min(step, image.SizeBytes - at);
            file.Read(HeapFormat.ImageOffset + at, image.Span(at, n));
        }
    }

    private static ulong DeriveHeapId(TimeProvider time, string name)
    {
        Span<byte> seed = stackalloc byte[16];
        BitConverter.TryWriteBytes(seed, time.GetUtcNow().UtcTicks);
        BitConverter.TryWriteBytes(seed[8..], time.GetTimestamp());
        ulong id = XxHash64.Hash(seed, XxHash64.Hash(System.Text.Encoding.UTF8.GetBytes(name)));
        return id == 0 ? 1 : id;
    }

    private void WriteSuperblock(in Superblock sb)
    {
        byte[] slot = _slotBuffer;
        HeapFormat.Write(sb, slot);
        _heapFile.Write((long)(sb.Sequence % 2) * HeapFormat.SlotBytes, slot);
        _heapFile.Flush();
        _superblock = sb;
    }
}
