using Daos.Client;

namespace Daos.Bench.Cluster;

/// <summary>
/// One load-tool task's own <see cref="DaosClient"/> with its pool and container handles. The first task creates
/// the run's container; <see cref="CloseAllAsync"/> closes every handle and destroys it, so rounds do not fill the pool.
/// </summary>
internal sealed class LoadClient(DaosClient client, DaosPool pool, DaosContainer container)
{
    public DaosClient Client { get; } = client;

    public DaosPool Pool { get; } = pool;

    public DaosContainer Container { get; } = container;

    /// <summary>Connects <paramref name="count"/> tasks; set-up, not timed.</summary>
    public static async Task<LoadClient[]> ConnectAllAsync(IClusterHost host, string poolLabel, string containerLabel, int count, CancellationToken ct)
    {
        var clients = new List<LoadClient>(count);
        try
        {
            for (int c = 0; c < count; c++)
            {
                clients.Add(await ConnectAsync(host, poolLabel, containerLabel, create: c == 0, ct));
            }
        }
        catch
        {
            await CloseAllAsync([.. clients], containerLabel);
            throw;
        }

        return [.. clients];
    }

    public static async Task CloseAllAsync(IReadOnlyList<LoadClient> clients, string containerLabel)
    {
        for (int c = clients.Count - 1; c >= 0; c--)
        {
            LoadClient one = clients[c];
            await one.Container.DisposeAsync();
            if (c == 0)
            {
                await one.Pool.DestroyContainerAsync(containerLabel, force: true);
            }

            await one.Pool.DisposeAsync();
            await one.Client.DisposeAsync();
        }
    }

    private static async Task<LoadClient> ConnectAsync(IClusterHost host, string poolLabel, string containerLabel, bool create, CancellationToken ct)
    {
        DaosClient client = await host.ConnectClientAsync(ct);
        try
        {
            DaosPool pool = await client.ConnectPoolAsync(poolLabel, PoolAccess.ReadWrite, ct);
            DaosContainer container = create
                ? await pool.CreateContainerAsync(containerLabel, null, ct)
                : await pool.OpenContainerAsync(containerLabel, ContainerAccess.ReadWrite, ct);
            return new LoadClient(client, pool, container);
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }
}
