using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Daos.Harness;

namespace Daos.Client.Tests.EndToEnd;

/// <summary>
/// The demo's key-value pattern, harder: many distinct keys put and got with many operations in flight, on Memory and
/// Files storage, every value checked byte for byte. A value names its key and generation and ends with a checksum
/// of everything before it, so a value that belongs to another key, another generation or no write at all is told
/// apart from the right one, and the failure says which.
/// </summary>
public sealed class KvReadBackStressTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "daos-kv-stress-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(false, 21UL)]
    [InlineData(true, 22UL)]
    public Task Every_value_read_back_is_the_acknowledged_one(bool files, ulong seed) =>
        RunAsync(files, seed, keys: 1200, rounds: 2, inFlight: 64);

    [Theory]
    [Trait("Category", "Soak")]
    [InlineData(false, 31UL)]
    [InlineData(true, 32UL)]
    [InlineData(false, 33UL)]
    [InlineData(true, 34UL)]
    public Task Every_value_read_back_is_the_acknowledged_one_soak(bool files, ulong seed) =>
        RunAsync(files, seed, keys: 8000, rounds: 16, inFlight: 128);

    private async Task RunAsync(bool files, ulong seed, int keys, int rounds, int inFlight)
    {
        TestClusterStorage storage = files ? TestClusterStorage.Files(_directory) : TestClusterStorage.Memory;
        await using TestCluster cluster = await TestCluster.StartAsync(new TestClusterOptions { Engines = 3, TargetsPerEngine = 4, Storage = storage, Seed = seed });
        await using DaosClient client = await cluster.ConnectClientAsync();
        await CreateOnceAsync(async () => await client.Admin.CreatePoolAsync("stress", new PoolCreateOptions { ScmSizeBytes = 64L << 20, NvmeSizeBytes = 64L << 20 }));
        await using DaosPool pool = await client.ConnectPoolAsync("stress");
        await CreateOnceAsync(async () => await (await pool.CreateContainerAsync("kv", null)).DisposeAsync());
        await using DaosContainer container = await pool.OpenContainerAsync("kv", ContainerAccess.ReadWrite);
        ObjectId oid = default;
        await CreateOnceAsync(async () => oid = await container.AllocateObjectIdAsync(ObjectType.KeyValue));
        DaosKeyValue kv = container.OpenKeyValue(oid);

        // Which keys each round rewrites and how long each value is are fixed by the seed.
        var random = new DeterministicRandom(seed);
        int[] generation = new int[keys];
        int[] padding = new int[keys];
        for (int i = 0; i < keys; i++)
        {
            padding[i] = random.Next(0, 600);
        }

        await ForEachAsync(keys, inFlight, async i => await kv.PutAsync(Key(i), Value(i, 0, padding[i])));
        for (int round = 0; round < rounds; round++)
        {
            await ForEachAsync(keys, inFlight, async i =>
                Check(seed, round, i, generation[i], await kv.GetAsync(Key(i)), padding[i]));

            // A seeded third of the keys get a new generation (and a new length) while others are read.
            var rewrite = new List<int>();
            for (int i = 0; i < keys; i++)
            {
                if (random.Chance(1.0 / 3))
                {
                    rewrite.Add(i);
                }
            }

            int[] nextPadding = rewrite.Select(_ => random.Next(0, 600)).ToArray();
            await ForEachAsync(rewrite.Count, inFlight, async j =>
            {
                int i = rewrite[j];
                await kv.PutAsync(Key(i), Value(i, generation[i] + 1, nextPadding[j]));
                padding[i] = nextPadding[j];
                generation[i]++;
            });
        }

        await ForEachAsync(keys, inFlight, async i => Check(seed, rounds, i, generation[i], await kv.GetAsync(Key(i)), padding[i]));
        var listed = new HashSet<string>(StringComparer.Ordinal);
        await foreach (byte[] key in kv.ListKeysAsync())
        {
            Assert.True(listed.Add(Encoding.UTF8.GetString(key)), $"seed {seed}: key {Encoding.UTF8.GetString(key)} listed twice");
        }

        Assert.True(listed.SetEquals(Enumerable.Range(0, keys).Select(Key)), $"seed {seed}: listing returned {listed.Count} keys, expected the {keys} written");
    }

    /// <summary>
    /// Setup only, not what this test checks: a metadata write (create, id allocation) whose service leader stepped
    /// down mid-write ends TxUncertain (the client does not retry it, the write may have landed); try again, and
    /// Exists then means the first attempt did land.
    /// </summary>
    private static async Task CreateOnceAsync(Func<Task> create)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await create();
                return;
            }
            catch (DaosException e) when (e.Error == DaosError.TxUncertain && attempt < 5)
            {
            }
            catch (DaosException e) when (e.Error == DaosError.Exists && attempt > 1)
            {
                return;
            }
        }
    }

    private static string Key(int i) => string.Create(CultureInfo.InvariantCulture, $"stress-{i:D6}");

    /// <summary>"key/generation/" then padding derived from both, then an 8-byte checksum of all of that.</summary>
    internal static byte[] Value(int key, int generation, int paddingBytes)
    {
        byte[] head = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Key(key)}/{generation}/"));
        byte[] value = new byte[head.Length + paddingBytes + 8];
        head.CopyTo(value, 0);
        for (int i = 0; i < paddingBytes; i++)
        {
            value[head.Length + i] = (byte)(key * 31 + generation * 7 + i);
        }

        BinaryPrimitives.WriteUInt64LittleEndian(value.AsSpan(value.Length - 8), XxHash64.Hash(value.AsSpan(0, value.Length - 8)));
        return value;
    }

    private static void Check(ulong seed, int round, int key, int generation, byte[]? actual, int paddingBytes)
    {
        byte[] expected = Value(key, generation, paddingBytes);
        if (actual is not null && actual.AsSpan().SequenceEqual(expected))
        {
            return;
        }

        string what = actual is null ? "nothing"
            : actual.Length >= 8 && BinaryPrimitives.ReadUInt64LittleEndian(actual.AsSpan(actual.Length - 8)) == XxHash64.Hash(actual.AsSpan(0, actual.Length - 8))
                ? $"an intact value of another write: '{Encoding.UTF8.GetString(actual.AsSpan(0, Math.Min(actual.Length, 24)))}...'"
                : $"{actual.Length} bytes failing their own checksum";
        Assert.Fail($"seed {seed}, round {round}: {Key(key)} generation {generation} read back {what}");
    }

    private static async Task ForEachAsync(int count, int inFlight, Func<int, Task> body)
    {
        int next = -1;
        var workers = new Task[Math.Min(inFlight, Math.Max(count, 1))];
        for (int w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                {
                    await body(i);
                }
            });
        }

        await Task.WhenAll(workers);
    }
}
