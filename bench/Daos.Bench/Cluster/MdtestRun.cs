using Daos.Client;

namespace Daos.Bench.Cluster;

/// <summary>
/// One mdtest run's tasks and key-value objects between its phases: <see cref="StartAsync"/> connects the tasks and
/// creates the container (not timed); <see cref="PhaseAsync"/> runs create, stat or remove; disposing closes every
/// handle and destroys the container.
/// </summary>
internal sealed class MdtestRun : IAsyncDisposable
{
    private readonly LoadClient[] _clients;
    private readonly DaosKeyValue[] _objects;
    private readonly string _containerLabel;
    private readonly TextWriter _progress;

    private MdtestRun(LoadClient[] clients, DaosKeyValue[] objects, string containerLabel, MdtestOptions options, TextWriter progress)
    {
        _clients = clients;
        _objects = objects;
        _containerLabel = containerLabel;
        _progress = progress;
        Options = options;
    }

    public MdtestOptions Options { get; }

    /// <summary>The key-value object of each task (the same one for every task when shared).</summary>
    public IReadOnlyList<ObjectId> ObjectIds => [.. _objects.Select(o => o.Id)];

    public static async Task<MdtestRun> StartAsync(IClusterHost host, string poolLabel, string containerLabel, MdtestOptions options, TextWriter progress, CancellationToken ct)
    {
        options.Validate();
        LoadClient[] clients = await LoadClient.ConnectAllAsync(host, poolLabel, containerLabel, options.Clients, ct);
        try
        {
            ObjectClass objectClass = ObjectClass.Parse(options.ObjectClass);
            var objects = new DaosKeyValue[clients.Length];
            ObjectId sharedId = options.Shared ? await clients[0].Container.AllocateObjectIdAsync(ObjectType.KeyValue, objectClass, ct) : default;
            for (int c = 0; c < clients.Length; c++)
            {
                ObjectId id = options.Shared ? sharedId : await clients[c].Container.AllocateObjectIdAsync(ObjectType.KeyValue, objectClass, ct);
                objects[c] = clients[c].Container.OpenKeyValue(id);
            }

            return new MdtestRun(clients, objects, containerLabel, options, progress);
        }
        catch
        {
            await LoadClient.CloseAllAsync(clients, containerLabel);
            throw;
        }
    }

    /// <summary>Runs <c>create</c>, <c>stat</c> (values checked: a difference throws <see cref="DaosError.DataLoss"/>) or <c>remove</c>.</summary>
    public Task<PhaseResult> PhaseAsync(string phase, CancellationToken ct) =>
        phase is "create" or "stat" or "remove"
            ? MdtestLoad.PhaseAsync(phase, _objects, Options, _progress, ct)
            : throw new ArgumentException($"mdtest phases are create, stat and remove, not '{phase}'", nameof(phase));

    /// <summary>After the remove phase: any key still listed throws <see cref="DaosError.DataLoss"/>.</summary>
    public Task CheckEmptyAsync(CancellationToken ct) => MdtestLoad.CheckEmptyAsync(_objects, Options, ct);

    public ValueTask DisposeAsync() => new(LoadClient.CloseAllAsync(_clients, _containerLabel));
}
