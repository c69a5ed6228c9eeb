namespace Daos.Bench.Cluster;

/// <summary>
/// Options of <c>ior</c>, <c>mdtest</c> and <c>cluster-bench</c>:
/// <list type="bullet">
/// <item><c>--network both|inproc|tcp</c> (both), <c>--server process|inproc</c> (process: the TCP engines run in a
/// child process), <c>--engines 2 --targets 4</c>, <c>--clients 4</c>, <c>--rounds 3</c>, <c>--dir PATH</c> (a
/// temporary directory by default, removed afterwards), <c>--no-baseline</c>, <c>--rtt-count 20000</c> and <c>--sync-count 1000</c> (baseline sizes), <c>--quiet</c> (no
/// progress lines).</item>
/// <item>IOR: <c>-b 64m -t 1m -s 1</c>, <c>--shared</c> (one segmented array), <c>--oclass SX</c>, <c>--chunk 1m</c>.</item>
/// <item>mdtest: <c>-n 1000</c> items per client, <c>-w 64</c> value bytes, <c>--depth 1</c> per client,
/// <c>--shared</c> (one key-value object), <c>--oclass SX</c>.</item>
/// </list>
/// </summary>
internal sealed record ClusterBenchOptions
{
    public bool InProcess { get; init; } = true;

    public bool Tcp { get; init; } = true;

    public bool ServerInChildProcess { get; init; } = true;

    public int Engines { get; init; } = 2;

    public int Targets { get; init; } = 4;

    public int Rounds { get; init; } = 3;

    public string? Directory { get; init; }

    public bool Baselines { get; init; } = true;

    public bool Quiet { get; init; }

    /// <summary>Round trips of the raw loopback baseline per round.</summary>
    public int RoundTrips { get; init; } = 20_000;

    /// <summary>Durable 4 KiB writes per writer of the raw small-write baseline per round.</summary>
    public int SyncedWritesPerWriter { get; init; } = 1000;

    public IorOptions Ior { get; init; } = new();

    public MdtestOptions Mdtest { get; init; } = new();

    public static ClusterBenchOptions Parse(IReadOnlyList<string> args)
    {
        var a = new LoadArguments(args);
        string network = a.Text("--network", "both");
        string server = a.Text("--server", "process");
        int clients = a.Int("--clients", 4, 1, 1024);
        bool shared = a.Flag("--shared");
        string objectClass = a.Text("--oclass", "SX");
        var options = new ClusterBenchOptions
        {
            InProcess = network is "both" or "inproc" ? true : network == "tcp" ? false : throw new ArgumentException($"--network is both, inproc or tcp, not '{network}'"),
            Tcp = network is "both" or "tcp",
            ServerInChildProcess = server == "process" || (server == "inproc" ? false : throw new ArgumentException($"--server is process or inproc, not '{server}'")),
            Engines = a.Int("--engines", 2, 1, 16),
            Targets = a.Int("--targets", 4, 1, 64),
            Rounds = a.Int("--rounds", 3, 1, 100),
            Directory = a.OptionalText("--dir"),
            Baselines = !a.Flag("--no-baseline"),
            Quiet = a.Flag("--quiet"),
            RoundTrips = a.Int("--rtt-count", 20_000),
            SyncedWritesPerWriter = a.Int("--sync-count", 1000),
            Ior = new IorOptions
            {
                Clients = clients,
                BlockBytes = a.Size("-b", 64L << 20),
                TransferBytes = checked((int)a.Size("-t", 1L << 20)),
                Segments = a.Int("-s", 1),
                Shared = shared,
                ObjectClass = objectClass,
                ChunkBytes = a.Size("--chunk", 1L << 20),
            },
            Mdtest = new MdtestOptions
            {
                Clients = clients,
                ItemsPerClient = a.Int("-n", 1000),
                ValueBytes = a.Int("-w", 64, 16, 1 << 20),
                DepthPerClient = a.Int("--depth", 1, 1, 4096),
                Shared = shared,
                ObjectClass = objectClass,
            },
        };
        a.RejectUnknown();
        options.Ior.Validate();
        options.Mdtest.Validate();
        return options;
    }
}
