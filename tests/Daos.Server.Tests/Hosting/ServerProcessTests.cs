using System.Text;
using Daos.Client;

namespace Daos.Server.Tests.Hosting;

/// <summary>
/// The server as users run it: a child process on loopback TCP, a client in this process connecting over TCP, the
/// server killed with SIGKILL and restarted on the same directories.
/// </summary>
public sealed class ServerProcessTests
{
    private const int ArrayBytes = 3 << 20;

    [Fact]
    public async Task Client_over_TCP_and_every_acknowledged_write_survives_SIGKILL()
    {
        await using ServerProcess server = ServerProcess.Create("tcp_system", engines: 2, targets: 2);
        await server.StartAsync();

        DaosClient client = await DaosClient.ConnectAsync(server.ClientOptions());
        SystemInfo system = await client.Admin.QuerySystemAsync();
        Assert.Equal([0, 1], system.Ranks.Select(r => r.Rank));
        Assert.All(system.Ranks, r => Assert.StartsWith("tcp://127.0.0.1:", r.Address, StringComparison.Ordinal));

        PoolInfo created = await client.Admin.CreatePoolAsync("tank", new PoolCreateOptions { SizePerTargetBytes = 16 << 20 });
        Assert.Equal(4, created.TargetsTotal);
        DaosPool pool = await client.ConnectPoolAsync("tank");
        DaosContainer container = await pool.CreateContainerAsync("results", new ContainerProperties { RedundancyFactor = 0 });
        await container.SetAttributeAsync("owner", "ci"u8.ToArray());

        // Key-value: put, overwrite, remove; list.
        DaosKeyValue kv = container.OpenKeyValue(await container.AllocateObjectIdAsync(ObjectType.KeyValue));
        for (int i = 0; i < 64; i++)
        {
            await kv.PutAsync($"key-{i:D3}", Encoding.UTF8.GetBytes($"value-{i}"));
        }

        await kv.PutAsync("key-007", "seven"u8.ToArray());
        await kv.RemoveAsync("key-063");
        var listed = new List<string>();
        await foreach (byte[] key in kv.ListKeysAsync())
        {
            listed.Add(Encoding.UTF8.GetString(key));
        }

        Assert.Equal(63, listed.Count);
        Assert.DoesNotContain("key-063", listed);

        // Multi-akey object: single values and an array akey; punch a dkey.
        DaosObject obj = container.OpenObject(await container.AllocateObjectIdAsync(ObjectType.MultiHashed));
        await obj.UpdateAsync("row-1", [IoDescriptor.Single("name", "alpha"u8.ToArray()), IoDescriptor.Array("samples", 0, Bytes(4096, 11))]);
        await obj.UpdateAsync("row-2", [IoDescriptor.Single("name", "beta"u8.ToArray())]);
        await obj.PunchDkeyAsync("row-2");
        IReadOnlyList<IoResult> fetched = await obj.FetchAsync("row-1", [IoDescriptor.Single("name"), IoDescriptor.ArrayRange("samples", 0, 4096)]);
        Assert.Equal("alpha"u8.ToArray(), fetched[0].Value);
        Assert.Equal(Bytes(4096, 11), fetched[1].Value);

        // Array: write, snapshot, overwrite part; the snapshot reads the old bytes.
        DaosArray array = await container.CreateArrayAsync(await container.AllocateObjectIdAsync(ObjectType.Array), cellSize: 1, chunkSize: 1 << 20);
        byte[] original = Bytes(ArrayBytes, 3);
        await array.WriteAsync(0, original);
        Epoch snapshot = await container.CreateSnapshotAsync("before-overwrite");
        byte[] patch = Bytes(100_000, 99);
        await array.WriteAsync(1_500_000, patch);
        byte[] expected = (byte[])original.Clone();
        patch.CopyTo(expected, 1_500_000);

        await AssertStateAsync(container, kv.Id, obj.Id, array.Id, snapshot, original, expected);

        // SIGKILL with every write above acknowledged; the first client stays open and is closed after the restart.
        await server.KillAsync();
        await server.StartAsync();

        await using (DaosClient fresh = await DaosClient.ConnectAsync(server.ClientOptions()))
        {
            await using DaosPool pool2 = await fresh.ConnectPoolAsync("tank");
            await using DaosContainer container2 = await pool2.OpenContainerAsync("results");
            await AssertStateAsync(container2, kv.Id, obj.Id, array.Id, snapshot, original, expected);

            // The restarted server takes new writes too.
            DaosKeyValue kv2 = container2.OpenKeyValue(kv.Id);
            await kv2.PutAsync("after-restart", "yes"u8.ToArray());
            Assert.Equal("yes"u8.ToArray(), await kv2.GetAsync("after-restart"));
        }

        await container.DisposeAsync();
        await pool.DisposeAsync();
        await client.DisposeAsync();
        Assert.Equal(0, await server.TerminateAsync());
        Assert.Contains("stopped", server.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SIGKILL_during_concurrent_writes_loses_no_acknowledged_write()
    {
        await using ServerProcess server = ServerProcess.Create("kill_system", engines: 1, targets: 4);
        await server.StartAsync();
        await using (DaosClient admin = await DaosClient.ConnectAsync(server.ClientOptions()))
        {
            await admin.Admin.CreatePoolAsync("kill-pool", new PoolCreateOptions { SizePerTargetBytes = 16 << 20 });
            await using DaosPool setupPool = await admin.ConnectPoolAsync("kill-pool");
            await using DaosContainer setup = await setupPool.CreateContainerAsync("kill-cont");
        }

        // Writers fail fast once the server is gone: no retries, a short request timeout.
        DaosClientOptions writerOptions = server.ClientOptions() with
        {
            Retry = new Client.Retries.RetryPolicy { RetriesMax = 0 },
            Transport = new Transport.TransportOptions { RequestTimeout = TimeSpan.FromSeconds(3) },
        };
        DaosClient writer = await DaosClient.ConnectAsync(writerOptions);
        DaosPool pool = await writer.ConnectPoolAsync("kill-pool");
        DaosContainer container = await pool.OpenContainerAsync("kill-cont");
        DaosKeyValue kv = container.OpenKeyValue(await container.AllocateObjectIdAsync(ObjectType.KeyValue));
        var acknowledged = new System.Collections.Concurrent.ConcurrentDictionary<string, byte[]>();
        const int Writers = 4;
        const int AcknowledgedBeforeKill = 300;
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task WriteLoopAsync(int writerIndex)
        {
            for (int i = 0; ; i++)
            {
                string key = $"w{writerIndex}-{i:D6}";
                byte[] value = Bytes(64 + (i % 200), (writerIndex * 1_000_000) + i);
                try
                {
                    await kv.PutAsync(key, value);
                }
                catch (DaosException)
                {
                    return;     // the server is gone: this write was never acknowledged
                }

                acknowledged[key] = value;
                if (acknowledged.Count >= AcknowledgedBeforeKill)
                {
                    enough.TrySetResult();
                }
            }
        }

        Task[] loops = [.. Enumerable.Range(0, Writers).Select(w => Task.Run(() => WriteLoopAsync(w)))];
        await enough.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await server.KillAsync();      // writes are in flight on every writer
        await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(30));
        var snapshot = new Dictionary<string, byte[]>(acknowledged);

        await server.StartAsync();
        await using (DaosClient reader = await DaosClient.ConnectAsync(server.ClientOptions()))
        {
            await using DaosPool readPool = await reader.ConnectPoolAsync("kill-pool");
            await using DaosContainer readContainer = await readPool.OpenContainerAsync("kill-cont");
            DaosKeyValue readKv = readContainer.OpenKeyValue(kv.Id);
            foreach ((string key, byte[] value) in snapshot)
            {
                byte[]? read = await readKv.GetAsync(key);
                Assert.True(read is not null && read.AsSpan().SequenceEqual(value), $"acknowledged write {key} ({snapshot.Count} acknowledged) was not read back after SIGKILL");
            }
        }

        await container.DisposeAsync();
        await pool.DisposeAsync();
        await writer.DisposeAsync();
    }

    private static async Task AssertStateAsync(DaosContainer container, ObjectId kvId, ObjectId objId, ObjectId arrayId, Epoch snapshot, byte[] original, byte[] expected)
    {
        Assert.Equal("ci"u8.ToArray(), await container.GetAttributeAsync("owner"));
        Assert.Contains(await ToListAsync(container.ListSnapshotsAsync()), s => s.Epoch == snapshot && s.Name == "before-overwrite");

        DaosKeyValue kv = container.OpenKeyValue(kvId);
        for (int i = 0; i < 63; i++)
        {
            string want = i == 7 ? "seven" : $"value-{i}";
            Assert.Equal(want, Encoding.UTF8.GetString(await kv.GetAsync($"key-{i:D3}") ?? []));
        }

        Assert.Null(await kv.GetAsync("key-063"));

        DaosObject obj = container.OpenObject(objId);
        IReadOnlyList<IoResult> row = await obj.FetchAsync("row-1", [IoDescriptor.Single("name"), IoDescriptor.ArrayRange("samples", 0, 4096)]);
        Assert.Equal("alpha"u8.ToArray(), row[0].Value);
        Assert.Equal(Bytes(4096, 11), row[1].Value);
        Assert.Equal(["row-1"], (await ToListAsync(obj.ListDkeysAsync())).Select(k => Encoding.UTF8.GetString(k)));

        DaosArray array = await container.OpenArrayAsync(arrayId);
        Assert.Equal(ArrayBytes, await array.GetSizeAsync());
        byte[] latest = new byte[ArrayBytes];
        Assert.Equal(ArrayBytes, await array.ReadAsync(0, latest));
        Assert.True(expected.AsSpan().SequenceEqual(latest), "the latest array bytes differ");
        byte[] old = new byte[ArrayBytes];
        Assert.Equal(ArrayBytes, await array.ReadAsync(0, old, new ReadOptions { Snapshot = snapshot }));
        Assert.True(original.AsSpan().SequenceEqual(old), "the array read at the snapshot differs from the bytes written before it");
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (T item in items)
        {
            list.Add(item);
        }

        return list;
    }

    private static byte[] Bytes(int count, int seed)
    {
        var random = new DeterministicRandom((ulong)seed);
        byte[] bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
