using System.Collections.Concurrent;
using Daos.Engine.Engine;
using Daos.Transport;
using Daos.Vos;

namespace Daos.Engine.Targets;

/// <summary>
/// One target's VOS pool of one pool. VOS serves one operation at a time per pool (it refuses overlapping callers),
/// and a handler may await inside VOS while the target's executor takes the next request, so every use goes through
/// <see cref="Gate"/>: requests to one shard run one after another, shards of different targets in parallel.
/// VOS containers are created on first use (DAOS creates a target's container shard lazily as well).
/// </summary>
/// <remarks>
/// Group commit: the pool is opened with <see cref="ScheduleCommit"/> as its commit scheduler, so an object update
/// holds the gate only while VOS applies it (memory, heap, WAL append) and waits for durability after releasing it;
/// the barrier runs later on the target's executor, under the gate, once for every update applied before it.
/// Until then those updates are visible in memory but not durable: <see cref="NoteApplied"/> records, per object,
/// the last WAL sequence applied, and <see cref="ReadFence"/> makes a read of such an object wait for that sequence
/// before it replies, so no reply carries data a crash could still take back.
/// </remarks>
internal sealed class TargetShard : IAsyncDisposable
{
    private static readonly SendOrPostCallback s_runScheduled = static state => ((ScheduledCommitWork)state!).Run();

    private readonly ConcurrentDictionary<Guid, VosContainer> _containers = new();
    private readonly IRpcExecutor _executor;

    // Objects written since the last barrier, with the WAL sequence of their last change; emptied once all are durable.
    private readonly Dictionary<(Guid Container, ObjectId Oid), ulong> _notDurable = [];
    private ulong _notDurableMax;

    private TargetShard(int targetIndex, IRpcExecutor executor)
    {
        TargetIndex = targetIndex;
        _executor = executor;
    }

    public int TargetIndex { get; }

    public VosPool Pool { get; private set; } = null!;

    public AsyncGate Gate { get; } = new();

    /// <summary>Durability barriers (WAL write and flush) the pool has issued: one per group of commits.</summary>
    public long BarrierCount => Pool.Heap.WalBarrierCount;

    /// <summary>
    /// Opens (or creates) the target's pool with <paramref name="open"/>, handing it this shard's commit scheduler.
    /// </summary>
    public static async ValueTask<TargetShard> OpenAsync(int targetIndex, IRpcExecutor executor, VosPoolOptions options,
        Func<VosPoolOptions, ValueTask<VosPool>> open)
    {
        var shard = new TargetShard(targetIndex, executor);
        // Under the gate: opening commits too, and the barriers it schedules must not run on the target's executor
        // while the open is still using the pool on this thread.
        await shard.Gate.WaitAsync();
        try
        {
            shard.Pool = await open(options with { CommitScheduler = shard.ScheduleCommit });
        }
        finally
        {
            shard.Gate.Release();
        }

        return shard;
    }

    /// <summary>
    /// The pool's commit scheduler: queues <paramref name="work"/> (a barrier or a checkpoint check) on the target's
    /// executor, where it runs holding <see cref="Gate"/> so that no VOS operation is in progress. Any thread.
    /// </summary>
    public void ScheduleCommit(Action<object?> work, object? state) =>
        _executor.Post(s_runScheduled, new ScheduledCommitWork(this, work, state));

    /// <summary>
    /// Records that <paramref name="oid"/> changed at WAL <paramref name="sequence"/>, not yet durable; call holding
    /// <see cref="Gate"/> right after VOS applied the change.
    /// </summary>
    public void NoteApplied(Guid container, ObjectId oid, ulong sequence)
    {
        ulong durable = Pool.DurableSequence;
        if (_notDurable.Count > 0 && durable >= _notDurableMax)
        {
            _notDurable.Clear();
        }

        if (sequence > durable)
        {
            _notDurable[(container, oid)] = sequence;
            _notDurableMax = Math.Max(_notDurableMax, sequence);
        }
    }

    /// <summary>
    /// What a read of <paramref name="oid"/> must await before replying: completed when everything it can have seen
    /// is durable, else the barrier covering the object's last change. Take it holding <see cref="Gate"/> after the
    /// read; await it after releasing the gate.
    /// </summary>
    public ValueTask ReadFence(Guid container, ObjectId oid) =>
        _notDurable.TryGetValue((container, oid), out ulong sequence) && sequence > Pool.DurableSequence
            ? Pool.WaitDurableAsync(sequence)
            : ValueTask.CompletedTask;

    /// <summary>The container shard, opened or created; call holding <see cref="Gate"/>.</summary>
    public async ValueTask<VosContainer> GetContainerAsync(Guid uuid)
    {
        if (_containers.TryGetValue(uuid, out VosContainer? open))
        {
            return open;
        }

        VosContainer container;
        try
        {
            container = await Pool.OpenContainerAsync(uuid);
        }
        catch (DaosException e) when (e.Error == DaosError.NonExistent)
        {
            container = await Pool.CreateContainerAsync(uuid);
        }

        _containers[uuid] = container;
        return container;
    }

    /// <summary>Deletes the container shard if it exists, taking <see cref="Gate"/> for it.</summary>
    public async ValueTask DestroyContainerAsync(Guid uuid, CancellationToken cancellationToken = default)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            _containers.TryRemove(uuid, out _);
            await Pool.DestroyContainerAsync(uuid);
        }
        catch (DaosException e) when (e.Error == DaosError.NonExistent)
        {
            // Never written on this target.
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Reads the VOS pool's state (its space, its container ids) under <see cref="Gate"/>.</summary>
    public async ValueTask<T> ReadPoolAsync<T>(Func<VosPool, T> read, CancellationToken cancellationToken = default)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            return read(Pool);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Closes the pool, making every applied change durable first.</summary>
    public ValueTask DisposeAsync() => CloseAsync(crash: false);

    /// <summary>
    /// Closes the pool; with <paramref name="crash"/> as a crash would (an engine being killed): changes applied but
    /// not yet durable are dropped and their waiters fail.
    /// </summary>
    public async ValueTask CloseAsync(bool crash)
    {
        await Gate.WaitAsync();
        try
        {
            if (crash)
            {
                Pool.Abandon();
            }
            else
            {
                await Pool.DisposeAsync();
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    private void RunScheduledUnderGate(Action<object?> work, object? state)
    {
        if (Gate.TryEnter())
        {
            try
            {
                work(state);
            }
            finally
            {
                Gate.Release();
            }

            return;
        }

        _ = RunWhenGateFreeAsync(work, state);
    }

    private async Task RunWhenGateFreeAsync(Action<object?> work, object? state)
    {
        await Gate.WaitAsync();
        try
        {
            work(state);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A barrier or checkpoint check on its way to the target's executor (tests recognise it to hold it back).</summary>
    internal sealed class ScheduledCommitWork(TargetShard shard, Action<object?> work, object? state)
    {
        public void Run() => shard.RunScheduledUnderGate(work, state);
    }
}
