using Daos.Bench.Cluster;
using Daos.Client;

namespace Daos.Bench.Tests.Cluster;

/// <summary>An in-process cluster on files and engines on loopback TCP (a <c>DaosServer</c> in this process), each with a pool.</summary>
public sealed class LoadToolFixture : IAsyncLifetime
{
    public const string PoolLabel = "bench";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "daos-load-tool-tests-" + Guid.NewGuid().ToString("N")[..12]);
    private int _containers;

    internal IClusterHost InProcess { get; private set; } = null!;

    internal IClusterHost Tcp { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        InProcess = await InProcessClusterHost.StartAsync(2, 2, Path.Combine(_root, "inproc"), CancellationToken.None);
        Tcp = await TcpClusterHost.StartAsync(2, 2, Path.Combine(_root, "tcp"), separateProcess: false, CancellationToken.None);
        foreach (IClusterHost host in new[] { InProcess, Tcp })
        {
            await using DaosClient admin = await host.ConnectClientAsync(CancellationToken.None);
            await admin.Admin.CreatePoolAsync(PoolLabel, new PoolCreateOptions { ScmSizeBytes = 32L << 20, NvmeSizeBytes = 64L << 20 });
        }
    }

    public async Task DisposeAsync()
    {
        await Tcp.DisposeAsync();
        await InProcess.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    internal IClusterHost Host(string network) => network == "tcp" ? Tcp : InProcess;

    public string NewContainerLabel() => $"run-{Interlocked.Increment(ref _containers)}";
}

/// <summary>
/// The IOR and mdtest tools run end to end on a tiny size over both networks, check the counts they report, and fail
/// loudly when the data they read back is not what they wrote (the bytes are changed behind their back).
/// </summary>
public sealed class LoadToolTests(LoadToolFixture fixture) : IClassFixture<LoadToolFixture>
{
    private static readonly IorOptions TinyIor = new() { Clients = 3, BlockBytes = 256 << 10, TransferBytes = 64 << 10, ChunkBytes = 128 << 10 };
    private static readonly MdtestOptions TinyMdtest = new() { Clients = 3, ItemsPerClient = 40, ValueBytes = 48 };

    [Theory]
    [InlineData("inproc", false, 1)]
    [InlineData("inproc", true, 2)]
    [InlineData("tcp", false, 1)]
    [InlineData("tcp", true, 2)]
    public async Task Ior_writes_and_reads_back_every_transfer(string network, bool shared, int segments)
    {
        IorOptions options = TinyIor with { Shared = shared, Segments = segments };
        (PhaseResult write, PhaseResult read) = await IorLoad.RunAsync(fixture.Host(network), LoadToolFixture.PoolLabel, fixture.NewContainerLabel(), options, TextWriter.Null, default);
        long transfers = 3L * 4 * segments;
        Assert.Equal(transfers, write.Operations);
        Assert.Equal(transfers, read.Operations);
        Assert.Equal(transfers * (64 << 10), write.Bytes);
        Assert.Equal(write.Bytes, read.Bytes);
        Assert.True(write.Seconds > 0 && write.P50Micros > 0 && write.P99Micros >= write.P50Micros);
        Assert.True(read.GiBPerSecond > 0);
    }

    [Theory]
    [InlineData("inproc", false)]
    [InlineData("tcp", true)]
    public async Task Mdtest_creates_stats_and_removes_every_entry(string network, bool shared)
    {
        MdtestOptions options = TinyMdtest with { Shared = shared, DepthPerClient = shared ? 4 : 1 };
        var (create, stat, remove) = await MdtestLoad.RunAsync(fixture.Host(network), LoadToolFixture.PoolLabel, fixture.NewContainerLabel(), options, TextWriter.Null, default);
        foreach (PhaseResult phase in new[] { create, stat, remove })
        {
            Assert.Equal(120, phase.Operations);
            Assert.True(phase.OperationsPerSecond > 0 && phase.P99Micros >= phase.P50Micros);
        }
    }

    [Fact]
    public async Task Ior_read_fails_with_data_loss_when_a_transfer_was_changed_behind_its_back()
    {
        string label = fixture.NewContainerLabel();
        await using IorRun run = await IorRun.StartAsync(fixture.InProcess, LoadToolFixture.PoolLabel, label, TinyIor, TextWriter.Null, default);
        await run.WriteAsync(default);
        await using (ContainerHandle other = await ContainerHandle.OpenAsync(fixture.InProcess, label))
        {
            DaosArray array = await other.Container.OpenArrayAsync(run.ArrayIds[1]);
            byte[] stranger = new byte[64 << 10];
            new DeterministicRandom(99).NextBytes(stranger);
            await array.WriteAsync(IorLoad.OffsetOf(TinyIor, 1, 2), stranger);
        }

        DaosException e = await Assert.ThrowsAsync<DaosException>(() => run.ReadAsync(default));
        Assert.Equal(DaosError.DataLoss, e.Error);
        Assert.Contains("ior task 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mdtest_stat_and_the_final_listing_catch_entries_changed_behind_their_back()
    {
        string label = fixture.NewContainerLabel();
        await using MdtestRun run = await MdtestRun.StartAsync(fixture.Tcp, LoadToolFixture.PoolLabel, label, TinyMdtest, TextWriter.Null, default);
        await run.PhaseAsync("create", default);
        await using ContainerHandle other = await ContainerHandle.OpenAsync(fixture.Tcp, label);
        DaosKeyValue kv = other.Container.OpenKeyValue(run.ObjectIds[2]);
        await kv.PutAsync(MdtestLoad.KeyOf(2, 17), MdtestLoad.ValueOf(2, 18, TinyMdtest.ValueBytes));
        DaosException stat = await Assert.ThrowsAsync<DaosException>(() => run.PhaseAsync("stat", default));
        Assert.Equal(DaosError.DataLoss, stat.Error);
        Assert.Contains("t0002.f00000017", stat.Message, StringComparison.Ordinal);

        await run.PhaseAsync("remove", default);
        await run.CheckEmptyAsync(default);
        await kv.PutAsync(MdtestLoad.KeyOf(2, 5), MdtestLoad.ValueOf(2, 5, TinyMdtest.ValueBytes));
        DaosException listing = await Assert.ThrowsAsync<DaosException>(() => run.CheckEmptyAsync(default));
        Assert.Equal(DaosError.DataLoss, listing.Error);
    }

    [Fact]
    public async Task Creating_an_entry_twice_is_refused_as_a_create_should_be()
    {
        string label = fixture.NewContainerLabel();
        await using MdtestRun run = await MdtestRun.StartAsync(fixture.InProcess, LoadToolFixture.PoolLabel, label, TinyMdtest with { Clients = 1, ItemsPerClient = 5 }, TextWriter.Null, default);
        await run.PhaseAsync("create", default);
        DaosException e = await Assert.ThrowsAsync<DaosException>(() => run.PhaseAsync("create", default));
        Assert.Equal(DaosError.Exists, e.Error);
    }

    /// <summary>A second client's view of a run's container, to change its data behind the tool's back.</summary>
    private sealed class ContainerHandle(DaosClient client, DaosPool pool, DaosContainer container) : IAsyncDisposable
    {
        public DaosContainer Container { get; } = container;

        public static async Task<ContainerHandle> OpenAsync(IClusterHost host, string label)
        {
            DaosClient client = await host.ConnectClientAsync(default);
            DaosPool pool = await client.ConnectPoolAsync(LoadToolFixture.PoolLabel);
            return new ContainerHandle(client, pool, await pool.OpenContainerAsync(label));
        }

        public async ValueTask DisposeAsync()
        {
            await Container.DisposeAsync();
            await pool.DisposeAsync();
            await client.DisposeAsync();
        }
    }
}
