using System.Collections.Concurrent;
using Daos.Engine.Engine;
using Daos.Vos;

namespace Daos.Engine.Targets;

/// <summary>
/// One target's VOS pool of one pool. VOS serves one operation at a time per pool (it refuses overlapping callers),
/// and a handler may await inside VOS while the target's executor takes the next request, so every use goes through
/// <see cref="Gate"/>: requests to one shard run one after another, shards of different targets in parallel.
/// VOS containers are created on first use (DAOS creates a target's container shard lazily as well).
/// </summary>
internal sealed class TargetShard(int targetIndex, VosPool pool) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<Guid, VosContainer> _containers = new();

    public int TargetIndex { get; } = targetIndex;

    public VosPool Pool { get; } = pool;

    public AsyncGate Gate { get; } = new();

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

    /// <summary>Deletes the container shard if it exists; call holding <see cref="Gate"/>.</summary>
    public async ValueTask DestroyContainerAsync(Guid uuid)
    {
        _containers.TryRemove(uuid, out _);
        try
        {
            await Pool.DestroyContainerAsync(uuid);
        }
        catch (DaosException e) when (e.Error == DaosError.NonExistent)
        {
            // Never written on this target.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Gate.WaitAsync();
        try
        {
            await Pool.DisposeAsync();
        }
        finally
        {
            Gate.Release();
        }
    }
}
