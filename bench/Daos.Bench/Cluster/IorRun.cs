using Daos.Client;

namespace Daos.Bench.Cluster;

/// <summary>
/// One IOR run's tasks and arrays between its phases: <see cref="StartAsync"/> connects the tasks and creates the
/// container and arrays (not timed), <see cref="WriteAsync"/> and <see cref="ReadAsync"/> are the timed phases,
/// disposing closes every handle and destroys the container.
/// </summary>
internal sealed class IorRun : IAsyncDisposable
{
    private readonly LoadClient[] _clients;
    private readonly DaosArray[] _arrays;
    private readonly string _containerLabel;
    private readonly TextWriter _progress;
    private readonly TransferPattern _pattern;

    private IorRun(LoadClient[] clients, DaosArray[] arrays, string containerLabel, IorOptions options, TextWriter progress)
    {
        _clients = clients;
        _arrays = arrays;
        _containerLabel = containerLabel;
        _progress = progress;
        Options = options;
        _pattern = new TransferPattern(options.TransferBytes, seed: 0x10B);
    }

    public IorOptions Options { get; }

    /// <summary>The array each task writes (the same one for every task when shared).</summary>
    public IReadOnlyList<ObjectId> ArrayIds => [.. _arrays.Select(a => a.Id)];

    public static async Task<IorRun> StartAsync(IClusterHost host, string poolLabel, string containerLabel, IorOptions options, TextWriter progress, CancellationToken ct)
    {
        options.Validate();
        LoadClient[] clients = await LoadClient.ConnectAllAsync(host, poolLabel, containerLabel, options.Clients, ct);
        try
        {
            ObjectClass objectClass = ObjectClass.Parse(options.ObjectClass);
            var arrays = new DaosArray[clients.Length];
            if (options.Shared)
            {
                ObjectId shared = await clients[0].Container.AllocateObjectIdAsync(ObjectType.ByteArray, objectClass, ct);
                arrays[0] = await clients[0].Container.CreateArrayAsync(shared, 1, options.ChunkBytes, ct);
                for (int c = 1; c < clients.Length; c++)
                {
                    arrays[c] = await clients[c].Container.OpenArrayAsync(shared, ct);
                }
            }
            else
            {
                for (int c = 0; c < clients.Length; c++)
                {
                    ObjectId own = await clients[c].Container.AllocateObjectIdAsync(ObjectType.ByteArray, objectClass, ct);
                    arrays[c] = await clients[c].Container.CreateArrayAsync(own, 1, options.ChunkBytes, ct);
                }
            }

            return new IorRun(clients, arrays, containerLabel, options, progress);
        }
        catch
        {
            await LoadClient.CloseAllAsync(clients, containerLabel);
            throw;
        }
    }

    public Task<PhaseResult> WriteAsync(CancellationToken ct) => IorLoad.PhaseAsync("write", _arrays, Options, _pattern, _progress, ct);

    /// <summary>Reads every transfer back and compares it; a difference throws <see cref="DaosError.DataLoss"/>.</summary>
    public Task<PhaseResult> ReadAsync(CancellationToken ct) => IorLoad.PhaseAsync("read", _arrays, Options, _pattern, _progress, ct);

    public ValueTask DisposeAsync() => new(LoadClient.CloseAllAsync(_clients, _containerLabel));
}
