using Daos.Engine.Pools;
using Daos.Engine.Targets;
using Daos.Protocol;
using Daos.Protocol.Pools;
using Daos.Threading;

namespace Daos.Engine;

/// <summary>
/// Catching up after a restart: an engine that was down missed map publishes and container destroys. For every pool it
/// reopens, it asks the pool service leader for the pool's current record and container list, adopts the map if newer,
/// and deletes the VOS containers the service no longer lists.
/// </summary>
public sealed partial class DaosEngine
{
    /// <summary>How long a rejoin waits before asking a pool service again when no leader answered.</summary>
    private static readonly TimeSpan RejoinRetryInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Rejoins every pool reopened at start, side by side (a pool whose service has no leader holds up no other),
    /// until each has caught up, left this engine, or the engine stops.
    /// </summary>
    private Task RejoinPoolsAsync(IReadOnlyList<LocalPool> pools, CancellationToken cancellationToken) =>
        Task.WhenAll(pools.Select(pool => RejoinQuietlyAsync(pool, cancellationToken)));

    private async Task RejoinQuietlyAsync(LocalPool pool, CancellationToken cancellationToken)
    {
        try
        {
            await RejoinAsync(pool, cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // Stopping.
        }
        catch (DaosException)
        {
            // A shard failed to delete a container (a storage fault): the pool keeps it until the next start.
        }
    }

    /// <summary>
    /// One pool's catch-up. The order matters for containers: the containers this rank holds are listed first, the
    /// service's list is read after (a linearizable read on its leader). A VOS container exists here only if a write or
    /// read reached it with a handle the service had opened on that container, so its service record existed before
    /// this rank's list was taken; if the service's later list omits it, it was destroyed since, and its data goes.
    /// A container created meanwhile is in neither list or only in the service's, so it is never deleted.
    /// </summary>
    internal async Task RejoinAsync(LocalPool pool, CancellationToken cancellationToken)
    {
        Guid[][] held = await ListHeldAsync(pool, cancellationToken);
        PoolRejoinReply? reply = await AskServiceAsync(pool, cancellationToken);
        if (reply is not null)
        {
            await ReconcileAsync(pool, held, reply, cancellationToken);
        }
    }

    /// <summary>The VOS containers each target of this engine holds for <paramref name="pool"/>, by target index.</summary>
    internal static async Task<Guid[][]> ListHeldAsync(LocalPool pool, CancellationToken cancellationToken)
    {
        var held = new Guid[pool.Shards.Length][];
        for (int i = 0; i < held.Length; i++)
        {
            held[i] = await pool.Shards[i].ReadPoolAsync(static vos => vos.ContainerIds(), cancellationToken);
        }

        return held;
    }

    /// <summary>Asks the pool service leader until one answers; null when the pool left this engine meanwhile.</summary>
    internal async Task<PoolRejoinReply?> AskServiceAsync(LocalPool pool, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!IsHeld(pool))
            {
                return null; // destroyed or rolled back meanwhile
            }

            try
            {
                return await _context.PoolServices.CallAsync<PoolRejoinRequest, PoolRejoinReply>(pool.Record, ProtocolOpcodes.PoolRejoin,
                    new PoolRejoinRequest(pool.Uuid, Rank), cancellationToken);
            }
            catch (DaosException)
            {
                // No leader yet (or its pool service is still being created): ask again.
            }

            await ClockDelay.WaitAsync(_options.TimeProvider, RejoinRetryInterval, cancellationToken);
        }
    }

    /// <summary>
    /// Adopts the service's map if newer, and deletes the containers of <paramref name="held"/> (listed before the
    /// service was asked) that the service's <paramref name="reply"/> does not list.
    /// </summary>
    internal async Task ReconcileAsync(LocalPool pool, Guid[][] held, PoolRejoinReply reply, CancellationToken cancellationToken)
    {
        try
        {
            await AdoptMapAsync(reply.Record);
        }
        catch (DaosException)
        {
            // Another incarnation answered (the pool was destroyed and made again): its own creates reach this rank.
            return;
        }

        var listed = new HashSet<Guid>(reply.Containers);
        for (int i = 0; i < pool.Shards.Length; i++)
        {
            TargetShard shard = pool.Shards[i];
            foreach (Guid container in held[i])
            {
                if (listed.Contains(container) || !IsHeld(pool))
                {
                    continue;
                }

                _handles.ForgetContainer(pool.Uuid, container);
                await shard.DestroyContainerAsync(container, cancellationToken);
            }
        }
    }

    /// <summary>The VOS containers each target of this engine holds for pool <paramref name="uuid"/> (for tests).</summary>
    internal Task<Guid[][]> HeldContainersAsync(Guid uuid) =>
        ListHeldAsync(PoolOf(uuid) ?? throw new DaosException(DaosError.NonExistent, $"pool {uuid} has no shard on rank {Rank}"), CancellationToken.None);

    private bool IsHeld(LocalPool pool) => _pools.TryGetValue(pool.Uuid, out LocalPool? current) && ReferenceEquals(current, pool);
}
