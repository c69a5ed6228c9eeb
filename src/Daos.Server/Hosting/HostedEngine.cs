using Daos.Engine;
using Daos.Transport;

namespace Daos.Server.Hosting;

/// <summary>One running engine of a server and the dedicated threads it was given (one per target, one for its system work).</summary>
internal sealed class HostedEngine(EnginePlan plan)
{
    private readonly List<DedicatedThreadExecutor> _executors = [];

    public EnginePlan Plan { get; } = plan;

    public DaosEngine? Engine { get; set; }

    public IRpcExecutor CreateExecutor(uint target)
    {
        var executor = new DedicatedThreadExecutor($"rank{Plan.Rank}-target{target}");
        lock (_executors)
        {
            _executors.Add(executor);
        }

        return executor;
    }

    public void StopExecutors()
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
