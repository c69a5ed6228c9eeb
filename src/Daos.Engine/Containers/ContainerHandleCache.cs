using System.Collections.Concurrent;
using Daos.Engine.Pools;
using Daos.Protocol;
using Daos.Protocol.Containers;

namespace Daos.Engine.Containers;

/// <summary>
/// The container handles this engine's targets have seen, checked against the container service (which keeps them
/// in RDB) on first use and forgotten when the service announces a close or a destroy. A handle the service does not
/// know answers <see cref="DaosError.NoHandle"/>; after an engine restart the cache starts empty and re-checks.
/// </summary>
internal sealed class ContainerHandleCache(PoolServiceClient service)
{
    private readonly ConcurrentDictionary<(Guid Pool, Guid Handle), ContainerHandleCheckReply> _handles = new();

    public async ValueTask<ContainerHandleCheckReply> CheckAsync(LocalPool pool, Guid handle, CancellationToken cancellationToken)
    {
        if (_handles.TryGetValue((pool.Uuid, handle), out ContainerHandleCheckReply? known))
        {
            return known;
        }

        ContainerHandleCheckReply reply = await service.CallAsync<ContainerHandleRequest, ContainerHandleCheckReply>(pool.Record,
            ProtocolOpcodes.ContainerHandleCheck, new ContainerHandleRequest(pool.Uuid, handle), cancellationToken);
        _handles[(pool.Uuid, handle)] = reply;
        return reply;
    }

    public void Forget(Guid pool, Guid handle) => _handles.TryRemove((pool, handle), out _);

    public void ForgetContainer(Guid pool, Guid container)
    {
        foreach (KeyValuePair<(Guid Pool, Guid Handle), ContainerHandleCheckReply> entry in _handles)
        {
            if (entry.Key.Pool == pool && entry.Value.Container == container)
            {
                _handles.TryRemove(entry.Key, out _);
            }
        }
    }

    public void ForgetPool(Guid pool)
    {
        foreach ((Guid Pool, Guid Handle) key in _handles.Keys)
        {
            if (key.Pool == pool)
            {
                _handles.TryRemove(key, out _);
            }
        }
    }
}
