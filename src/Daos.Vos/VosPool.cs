using Daos.Storage;
using Daos.Vos.Bio;
using Daos.Vos.Store;
using Daos.Vos.Umem;

namespace Daos.Vos;

/// <summary>
/// The versioned object store of one target: a persistent heap (metadata and small values), a blob store (large
/// values) and the containers kept in them. See src/Daos.Vos/README.md for the model.
/// </summary>
/// <remarks>
/// A pool is owned by one target and is not thread-safe: callers serialize access (one operation at a time, each
/// awaited before the next starts). Entering a pool while another operation is still running throws
/// <see cref="InvalidOperationException"/> rather than corrupting it.
/// </remarks>
public sealed class VosPool : IAsyncDisposable
{
    /// <summary>Base name of the pool's files in its directory (<c>vos.heap</c>, <c>vos.wal</c>, <c>vos.blob</c>).</summary>
    internal const string FileBaseName = "vos";

    private const int GarbageSliceRecords = 256;

    private readonly UmemHeap _heap;
    private readonly BlobStore _blob;
    private readonly int _inlineThresholdBytes;
    private readonly int _objectCacheLimit;
    private readonly Dictionary<Guid, ContainerStore> _containers = [];
    private int _busy;
    private bool _disposed;

    private VosPool(UmemHeap heap, BlobStore blob, int inlineThresholdBytes, int objectCacheLimit)
    {
        _heap = heap;
        _blob = blob;
        _inlineThresholdBytes = inlineThresholdBytes;
        _objectCacheLimit = objectCacheLimit;
    }

    /// <summary>What opening the heap replayed from its WAL (empty for a new pool).</summary>
    internal RecoveryReport Recovery => _heap.Recovery;

    internal UmemHeap Heap => _heap;

    /// <summary>Creates a pool in <paramref name="directory"/> (created if missing; it must not hold a pool).</summary>
    public static ValueTask<VosPool> CreateAsync(string directory, VosPoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(directory);
        return CreateAsync(FileMedium.Open(directory), options);
    }

    /// <summary>Opens the pool in <paramref name="directory"/>, recovering committed changes after a crash.</summary>
    public static ValueTask<VosPool> OpenAsync(string directory, VosPoolOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
        {
            throw new DaosException(DaosError.NonExistent, $"pool directory '{directory}' does not exist");
        }

        return OpenAsync(FileMedium.Open(directory), options);
    }

    internal static async ValueTask<VosPool> CreateAsync(IStorageMedium medium, VosPoolOptions options)
    {
        options.Validate();
        if (medium.FileExists(UmemHeap.HeapFileName(FileBaseName)))
        {
            throw new DaosException(DaosError.Exists, $"'{medium.Location}' already holds a pool");
        }

        UmemHeap heap = UmemHeap.Create(medium, FileBaseName, HeapOptions(medium, options));
        heap.DeferDurability = true;
        BlobStore? blob = null;
        try
        {
            blob = await BlobStore.CreateAsync(medium, FileBaseName, heap, options.BlobSizeBytes / BlobFormat.BlockBytes).ConfigureAwait(false);
            UmemTransaction tx = heap.Begin();
            tx.Write(RecordFormat.RootMagicAt, RecordFormat.RootMagic);
            tx.Write(RecordFormat.RootVersionAt, RecordFormat.Version);
            tx.Write(RecordFormat.RootInlineThresholdAt, options.InlineThresholdBytes);
            tx.Write(RecordFormat.RootContainersAt, 0L);
            tx.Write(RecordFormat.RootGarbageAt, 0L);
            await tx.CommitAsync().ConfigureAwait(false);
            await heap.FlushAsync().ConfigureAwait(false);
            return new VosPool(heap, blob, options.InlineThresholdBytes, options.ObjectCacheLimit);
        }
        catch
        {
            blob?.Dispose();
            heap.Dispose();
            throw;
        }
    }

    internal static async ValueTask<VosPool> OpenAsync(IStorageMedium medium, VosPoolOptions? options)
    {
        options ??= new VosPoolOptions();
        if (!medium.FileExists(UmemHeap.HeapFileName(FileBaseName)))
        {
            throw new DaosException(DaosError.NonExistent, $"'{medium.Location}' holds no pool");
        }

        UmemHeap heap = UmemHeap.Open(medium, FileBaseName, HeapOptions(medium, options));
        heap.DeferDurability = true;
        BlobStore? blob = null;
        try
        {
            blob = BlobStore.Open(medium, FileBaseName, heap);
            if (heap.Read<ulong>(RecordFormat.RootMagicAt) != RecordFormat.RootMagic)
            {
                throw new DaosException(DaosError.NonExistent, $"'{medium.Location}' holds a heap without a VOS root (creation did not finish)");
            }

            uint version = heap.Read<uint>(RecordFormat.RootVersionAt);
            if (version != RecordFormat.Version)
            {
                throw new DaosException(version is > 0 and < RecordFormat.Version ? DaosError.DurableFormatIncompatible : DaosError.DurableFormatInvalid,
                    $"VOS format version {version} is not {RecordFormat.Version} (this build reads only its own layout)");
            }

            int threshold = heap.Read<int>(RecordFormat.RootInlineThresholdAt);
            if (threshold is < 1 or > 64 * 1024)
            {
                throw new DaosException(DaosError.Corrupted, $"VOS root holds an inline threshold of {threshold}");
            }

            var pool = new VosPool(heap, blob, threshold, options.ObjectCacheLimit);
            pool.LoadContainers();
            await pool.CollectGarbageAsync().ConfigureAwait(false);
            await heap.FlushAsync().ConfigureAwait(false);
            return pool;
        }
        catch
        {
            blob?.Dispose();
            heap.Dispose();
            throw;
        }
    }

    private static UmemOptions HeapOptions(IStorageMedium medium, VosPoolOptions options) => new()
    {
        HeapSizeBytes = options.HeapSizeBytes,
        WalSizeBytes = options.WalSizeBytes,
        HeapId = XxHash64.Hash(System.Text.Encoding.UTF8.GetBytes("daos-vos:" + medium.Location)) | 1,
        TimeProvider = options.TimeProvider ?? StoppedClock.Instance,
        FlushScheduler = options.CommitScheduler,
    };

    /// <summary>Creates an empty container; <see cref="DaosError.Exists"/> when <paramref name="id"/> is taken.</summary>
    public async ValueTask<VosContainer> CreateContainerAsync(Guid id)
    {
        Enter();
        try
        {
            if (_containers.ContainsKey(id))
            {
                throw new DaosException(DaosError.Exists, $"container {id} already exists");
            }

            long head = _heap.Read<long>(RecordFormat.RootContainersAt);
            UmemTransaction tx = _heap.Begin();
            long at;
            try
            {
                if (!tx.TryAllocate(RecordFormat.ContainerBytes, out at))
                {
                    throw new DaosException(DaosError.NoSpace, "the heap has no room for a container record");
                }

                Span<byte> c = tx.AddRange(at, RecordFormat.ContainerBytes);
                c.Clear();
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(c, RecordFormat.ContainerMagic);
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(c[4..], RecordFormat.Version);
                id.TryWriteBytes(c[RecordFormat.ContainerIdAt..]);
                System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(c[RecordFormat.ContainerNextAt..], head);
                if (head != 0)
                {
                    tx.Write(head + RecordFormat.ContainerPrevAt, at);
                }

                tx.Write(RecordFormat.RootContainersAt, at);
                ContainerStore.CreateIndex(tx, at);
            }
            catch
            {
                tx.Abort();
                throw;
            }

            await tx.CommitAsync().ConfigureAwait(false);
            await _heap.FlushAsync().ConfigureAwait(false);
            var store = new ContainerStore(_heap, _blob, at, id, _inlineThresholdBytes, _objectCacheLimit);
            _containers.Add(id, store);
            return new VosContainer(this, store);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>The uuids of the pool's containers (for an engine reconciling them with its container service).</summary>
    internal Guid[] ContainerIds()
    {
        Enter();
        try
        {
            return [.. _containers.Keys];
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Opens an existing container; <see cref="DaosError.NonExistent"/> when there is none.</summary>
    public ValueTask<VosContainer> OpenContainerAsync(Guid id)
    {
        Enter();
        try
        {
            return _containers.TryGetValue(id, out ContainerStore? store)
                ? ValueTask.FromResult(new VosContainer(this, store))
                : throw new DaosException(DaosError.NonExistent, $"container {id} does not exist");
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Destroys a container: it leaves the container table at once (one transaction), and its records are then freed
    /// in bounded slices; a crash part way resumes the freeing at the next open.
    /// </summary>
    public async ValueTask DestroyContainerAsync(Guid id)
    {
        Enter();
        try
        {
            if (!_containers.TryGetValue(id, out ContainerStore? store))
            {
                throw new DaosException(DaosError.NonExistent, $"container {id} does not exist");
            }

            long at = store.ContainerRecord;
            long prev = _heap.Read<long>(at + RecordFormat.ContainerPrevAt);
            long next = _heap.Read<long>(at + RecordFormat.ContainerNextAt);
            UmemTransaction tx = _heap.Begin();
            try
            {
                tx.Write(prev != 0 ? prev + RecordFormat.ContainerNextAt : RecordFormat.RootContainersAt, next);
                if (next != 0)
                {
                    tx.Write(next + RecordFormat.ContainerPrevAt, prev);
                }

                tx.Write(at + RecordFormat.ContainerNextAt, _heap.Read<long>(RecordFormat.RootGarbageAt));
                tx.Write(at + RecordFormat.ContainerPrevAt, 0L);
                tx.Write(RecordFormat.RootGarbageAt, at);
            }
            catch
            {
                tx.Abort();
                throw;
            }

            await tx.CommitAsync().ConfigureAwait(false);
            _containers.Remove(id);
            store.Destroyed = true;
            await CollectGarbageAsync().ConfigureAwait(false);
            await _heap.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Heap and blob space, total and used.</summary>
    public VosSpace QuerySpace()
    {
        Enter();
        try
        {
            HeapSpace heap = _heap.Space;
            BlobSpace blob = _blob.Space;
            return new VosSpace(heap.CapacityBytes, heap.UsedBytes, blob.TotalBlocks * BlobFormat.BlockBytes,
                blob.UsedBlocks * BlobFormat.BlockBytes);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Writes the heap's dirty pages and trims its WAL, so the next open replays little.</summary>
    public async ValueTask CheckpointAsync()
    {
        Enter();
        try
        {
            await _heap.CheckpointAsync().ConfigureAwait(false);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Makes everything committed durable and releases the files.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        Enter();
        try
        {
            _disposed = true;
            try
            {
                await _heap.FlushAsync().ConfigureAwait(false);
            }
            finally
            {
                _blob.Dispose();
                _heap.Dispose();
            }
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Closes the pool as a crash would: nothing more is written or flushed, so changes whose barrier has not run
    /// are lost and their waiters fail; the next open recovers what was durable. For an owner that is going away
    /// abruptly (an engine being killed).
    /// </summary>
    internal void Abandon()
    {
        if (_disposed)
        {
            return;
        }

        Enter();
        try
        {
            _disposed = true;
            _blob.Dispose();
            _heap.Abandon();
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>The WAL sequence of the last change applied; pass it to <see cref="WaitDurableAsync"/>.</summary>
    internal ulong LastCommitSequence => _heap.LastCommitSequence;

    /// <summary>The WAL sequence up to which every applied change is durable.</summary>
    internal ulong DurableSequence => _heap.DurableSequence;

    /// <summary>
    /// Completes once every change up to <paramref name="sequence"/> is durable (with the next scheduled barrier
    /// when it is not yet). Call with the owner's exclusive access, as every pool operation; await it after.
    /// </summary>
    internal ValueTask WaitDurableAsync(ulong sequence) => _heap.WaitDurableAsync(sequence);

    /// <summary>Claims the pool for one operation; throws when another is still running or the pool is closed.</summary>
    internal void Enter()
    {
        if (Interlocked.Exchange(ref _busy, 1) != 0)
        {
            throw new InvalidOperationException("the VOS pool is already in use: callers must serialize access (one target, one owner)");
        }

        if (_disposed)
        {
            Volatile.Write(ref _busy, 0);
            throw new ObjectDisposedException(nameof(VosPool));
        }
    }

    internal void Exit() => Volatile.Write(ref _busy, 0);

    private void LoadContainers()
    {
        long at = _heap.Read<long>(RecordFormat.RootContainersAt);
        long previous = 0;
        int guard = (int)Math.Min(int.MaxValue, _heap.SizeBytes / RecordFormat.ContainerBytes);
        while (at != 0)
        {
            if (--guard < 0 || at < UmemHeap.RootOffset || at > _heap.SizeBytes - RecordFormat.ContainerBytes
                || _heap.Read<uint>(at) != RecordFormat.ContainerMagic || _heap.Read<long>(at + RecordFormat.ContainerPrevAt) != previous)
            {
                throw new DaosException(DaosError.Corrupted, $"the container table is damaged at heap offset {at}");
            }

            var id = new Guid(_heap.Read(at + RecordFormat.ContainerIdAt, 16));
            var store = new ContainerStore(_heap, _blob, at, id, _inlineThresholdBytes, _objectCacheLimit);
            if (!_containers.TryAdd(id, store))
            {
                throw new DaosException(DaosError.Corrupted, $"container {id} appears twice in the container table");
            }

            store.Open();
            previous = at;
            at = _heap.Read<long>(at + RecordFormat.ContainerNextAt);
        }
    }

    /// <summary>Frees destroyed containers' records, one bounded transaction per slice.</summary>
    private async ValueTask CollectGarbageAsync()
    {
        long at;
        while ((at = _heap.Read<long>(RecordFormat.RootGarbageAt)) != 0)
        {
            if (at < UmemHeap.RootOffset || at > _heap.SizeBytes - RecordFormat.ContainerBytes || _heap.Read<uint>(at) != RecordFormat.ContainerMagic)
            {
                throw new DaosException(DaosError.Corrupted, $"the garbage list is damaged at heap offset {at}");
            }

            UmemTransaction tx = _heap.Begin();
            try
            {
                if (ContainerStore.FreeSlice(_heap, _blob, tx, at, GarbageSliceRecords))
                {
                    tx.Write(RecordFormat.RootGarbageAt, _heap.Read<long>(at + RecordFormat.ContainerNextAt));
                    tx.Free(at);
                }
            }
            catch
            {
                tx.Abort();
                throw;
            }

            await tx.CommitAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A clock that never moves: interval checkpoints never fall due (WAL-fill and explicit ones still run).</summary>
    private sealed class StoppedClock : TimeProvider
    {
        public static readonly StoppedClock Instance = new();

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.UnixEpoch;

        public override long GetTimestamp() => 0;
    }
}
