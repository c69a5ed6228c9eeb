using Daos.Engine;
using Daos.Transport;

namespace Daos.Server.Hosting;

/// <summary>One running engine of a server and the dedicated threads it was given (one per target, one for its system work).</summary>
internal sealed class HostedEngine(EnginePlan plan)
{
    private readonly DedicatedThreadExecutorGroup _executors = new($"rank{plan.Rank}");

    public EnginePlan Plan { get; } = plan;

    public DaosEngine? Engine { get; set; }

    public IRpcExecutor CreateExecutor(uint target) => _executors.Create(target);

    public void StopExecutors() => _executors.StopAll();
}
