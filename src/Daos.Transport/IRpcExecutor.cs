namespace Daos.Transport;

/// <summary>
/// Where handlers run. The engine supplies one per target (a single-threaded loop that owns the target's data);
/// <see cref="RpcExecutors"/> has simple ones. Post must not run the callback before returning unless the executor
/// is documented as inline.
/// </summary>
public interface IRpcExecutor
{
    /// <summary>Queues <paramref name="callback"/> with <paramref name="state"/>.</summary>
    void Post(SendOrPostCallback callback, object? state);
}
