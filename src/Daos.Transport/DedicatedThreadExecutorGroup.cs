namespace Daos.Transport;

/// <summary>
/// The dedicated threads handed to one engine (one per target, one for its system work), created on demand and
/// stopped together when the engine stops or is killed. Thread-safe: an engine asks for executors while it starts.
/// </summary>
public sealed class DedicatedThreadExecutorGroup
{
    private readonly List<DedicatedThreadExecutor> _executors = [];
    private readonly string _namePrefix;

    /// <summary>Creates an empty group whose threads are named "<paramref name="namePrefix"/>-target{n}".</summary>
    public DedicatedThreadExecutorGroup(string namePrefix) => _namePrefix = namePrefix;

    /// <summary>Starts a thread for <paramref name="target"/> and keeps it for <see cref="StopAll"/>.</summary>
    public DedicatedThreadExecutor Create(uint target)
    {
        var executor = new DedicatedThreadExecutor($"{_namePrefix}-target{target}");
        lock (_executors)
        {
            _executors.Add(executor);
        }

        return executor;
    }

    /// <summary>Stops every thread created so far; the group can hand out new ones afterwards (an engine restart).</summary>
    public void StopAll()
    {
        lock (_executors)
        {
            foreach (DedicatedThreadExecutor executor in _executors)
            {
                executor.Dispose();
            }

            _executors.Clear();
        }
    }
}
