using Daos.Harness.Scheduling;
using Daos.Transport;

namespace Daos.Harness.Network;

/// <summary>
/// A network of named hosts whose packets (one frame each) are delayed, lost, duplicated, reordered, partitioned
/// and clogged under the control of a seed. Each host gets an <see cref="ITransportNetwork"/> for
/// <c>sim://</c> addresses (<see cref="Host"/>), so the RPC layer runs on it unchanged. All delivery happens on the
/// <see cref="DeterministicScheduler"/>, so a run is reproducible; every send, drop and delivery is folded into the
/// scheduler's trace hash.
/// </summary>
/// <remarks>Links are directed: <c>a → b</c> can be partitioned or clogged while <c>b → a</c> works (asymmetric
/// partitions). Connection set-up needs both directions open. Not thread-safe: use from the scheduler.</remarks>
public sealed class SimulatedNetwork
{
    private const ulong TraceSend = 1, TraceLost = 2, TracePartitioned = 3, TraceDeliver = 4, TraceDuplicate = 5, TraceClosed = 6;

    private readonly Dictionary<(string From, string To), Link> _links = [];
    private readonly Dictionary<string, SimulatedListener> _listeners = new(StringComparer.Ordinal);
    private readonly SortedDictionary<int, SimulatedConnection> _connections = [];
    private readonly PriorityQueue<Delivery, (long DueTicks, long Sequence)> _inFlight = new();
    private readonly DeterministicRandom _random;
    private readonly ITimer _timer;
    private long _sequence;
    private long _armedTicks = long.MaxValue;
    private int _nextConnectionId;

    /// <summary>Creates a network driven by <paramref name="scheduler"/>.</summary>
    public SimulatedNetwork(DeterministicScheduler scheduler, SimulatedNetworkOptions? options = null, TransportOptions? transportOptions = null)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        Scheduler = scheduler;
        Options = options ?? new SimulatedNetworkOptions();
        Options.Validate();
        TransportOptions = transportOptions ?? new TransportOptions { TimeProvider = scheduler.Time, LoopContext = scheduler.SynchronizationContext };
        _random = scheduler.Random.Fork();
        _timer = scheduler.Time.CreateTimer(static s => ((SimulatedNetwork)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The scheduler that runs deliveries.</summary>
    public DeterministicScheduler Scheduler { get; }

    /// <summary>This run's fault parameters.</summary>
    public SimulatedNetworkOptions Options { get; }

    /// <summary>The transport options the simulated connections use.</summary>
    public TransportOptions TransportOptions { get; }

    /// <summary>What the network has done so far.</summary>
    public SimulatedNetworkStatistics Statistics { get; } = new();

    /// <summary>The network as seen from host <paramref name="name"/>: it listens on <c>sim://name</c> and its
    /// connections originate there.</summary>
    public ITransportNetwork Host(string name)
    {
        _ = TransportAddress.Simulated(name);
        return new SimulatedHost(this, name);
    }

    /// <summary>Cuts both directions between <paramref name="a"/> and <paramref name="b"/>.</summary>
    public void Partition(string a, string b)
    {
        PartitionOneWay(a, b);
        PartitionOneWay(b, a);
    }

    /// <summary>Cuts only packets from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public void PartitionOneWay(string from, string to) => GetLink(from, to).Partitioned = true;

    /// <summary>Restores every link and clears clogs.</summary>
    public void Heal()
    {
        foreach (Link link in _links.Values)
        {
            link.Partitioned = false;
            link.ClogUntilTicks = 0;
        }
    }

    /// <summary>Restores both directions between two hosts.</summary>
    public void Heal(string a, string b)
    {
        GetLink(a, b).Partitioned = false;
        GetLink(b, a).Partitioned = false;
    }

    /// <summary>Holds every packet from <paramref name="from"/> to <paramref name="to"/> until
    /// <paramref name="duration"/> from now; they are delayed, not lost.</summary>
    public void Clog(string from, string to, TimeSpan duration) =>
        GetLink(from, to).ClogUntilTicks = NowTicks + duration.Ticks;

    /// <summary>
    /// Takes host <paramref name="name"/> off the network as a crash would: its listener stops and every connection
    /// with an end there is aborted (the far ends learn of it by a close notice or, across a partition, by their
    /// heartbeat timeout). The host may listen again afterwards, as a restarted engine does.
    /// </summary>
    public void CrashHost(string name)
    {
        if (_listeners.Remove(name, out SimulatedListener? listener))
        {
            listener.Close();
        }

        foreach (SimulatedConnection connection in _connections.Values.ToArray())
        {
            if (connection.LocalHost == name)
            {
                connection.Abort();
            }
        }
    }

    internal long NowTicks => Scheduler.Time.GetUtcNow().UtcTicks;

    // Keyed by id, so a crash aborts connections in the order they were made, not in (per-run) object hash order.
    internal void Register(SimulatedConnection connection) => _connections.Add(connection.Id, connection);

    internal void Unregister(SimulatedConnection connection) => _connections.Remove(connection.Id);

    internal int NextConnectionId() => ++_nextConnectionId;

    internal bool IsOpen(string from, string to) => !GetLink(from, to).Partitioned;

    internal void Listen(string host, SimulatedListener listener)
    {
        if (!_listeners.TryAdd(host, listener))
        {
            throw new DaosException(DaosError.Exists, $"sim://{host} is already listening");
        }
    }

    internal void StopListening(string host, SimulatedListener listener)
    {
        if (_listeners.TryGetValue(host, out SimulatedListener? found) && ReferenceEquals(found, listener))
        {
            _listeners.Remove(host);
        }
    }

    internal SimulatedListener? FindListener(string host) => _listeners.GetValueOrDefault(host);

    /// <summary>Sends one packet (a whole frame, or a close notice when <paramref name="packet"/> is null).</summary>
    internal void Submit(SimulatedConnection from, SimulatedConnection to, byte[]? packet)
    {
        Link link = GetLink(from.LocalHost, to.LocalHost);
        ulong digest = packet is null ? 0 : Crc32C.Compute(packet);
        ulong route = ((ulong)(uint)from.Id << 32) | (uint)to.Id;
        Statistics.Sent++;
        Scheduler.Trace(TraceSend, route, (ulong)(packet?.Length ?? -1), digest);
        if (link.Partitioned)
        {
            Statistics.DroppedByPartition++;
            Scheduler.Trace(TracePartitioned, route);
            return;
        }

        // Close notices model the transport's own reliability (a FIN is retransmitted): never lost or duplicated.
        if (packet is not null && _random.Chance(Options.PacketLossProbability))
        {
            Statistics.Lost++;
            Scheduler.Trace(TraceLost, route, digest);
            return;
        }

        int copies = packet is not null && _random.Chance(Options.PacketDuplicationProbability) ? 2 : 1;
        for (int i = 0; i < copies; i++)
        {
            if (i > 0)
            {
                Statistics.Duplicated++;
                Scheduler.Trace(TraceDuplicate, route, digest);
            }

            long due = NowTicks + DrawDelayTicks();
            if (link.ClogUntilTicks > due)
            {
                due = link.ClogUntilTicks;
                Statistics.Clogged++;
            }

            bool mayOvertake = packet is not null && _random.Chance(Options.PacketReorderProbability);
            if (!mayOvertake || packet is null)
            {
                due = Math.Max(due, link.LastDueTicks);
            }
            else if (due < link.LastDueTicks)
            {
                Statistics.Reordered++;
            }

            link.LastDueTicks = Math.Max(link.LastDueTicks, due);
            _inFlight.Enqueue(new Delivery(to, packet, route, digest), (due, ++_sequence));
        }

        Arm();
    }

    private long DrawDelayTicks()
    {
        long min = Options.OneWayDelayMin.Ticks;
        long spread = Options.OneWayDelayMean.Ticks - min;
        if (spread <= 0)
        {
            return min;
        }

        double exponential = -Math.Log(1 - _random.NextDouble()) * spread;
        return min + (long)Math.Min(exponential, spread * 20.0);
    }

    private void Arm()
    {
        if (!_inFlight.TryPeek(out _, out (long DueTicks, long Sequence) next) || next.DueTicks >= _armedTicks)
        {
            return;
        }

        _armedTicks = next.DueTicks;
        _timer.Change(TimeSpan.FromTicks(Math.Max(0, next.DueTicks - NowTicks)), Timeout.InfiniteTimeSpan);
    }

    private void OnTimer()
    {
        _armedTicks = long.MaxValue;
        long now = NowTicks;
        while (_inFlight.TryPeek(out Delivery? delivery, out (long DueTicks, long Sequence) key) && key.DueTicks <= now)
        {
            _inFlight.Dequeue();
            // Delivered here, in due order, rather than posted: packets due at the same instant keep their send
            // order, and the receivers' continuations are what the scheduler interleaves.
            delivery!.Deliver();
        }

        Arm();
    }

    private Link GetLink(string from, string to)
    {
        if (!_links.TryGetValue((from, to), out Link? link))
        {
            link = new Link();
            _links.Add((from, to), link);
        }

        return link;
    }

    private sealed class Link
    {
        public bool Partitioned;
        public long ClogUntilTicks;
        public long LastDueTicks;
    }

    private sealed class Delivery(SimulatedConnection to, byte[]? packet, ulong route, ulong digest)
    {
        public void Deliver()
        {
            SimulatedNetwork network = to.Network;
            if (to.Receive(packet))
            {
                network.Statistics.Delivered++;
                network.Scheduler.Trace(TraceDeliver, route, digest);
            }
            else
            {
                network.Statistics.DroppedClosed++;
                network.Scheduler.Trace(TraceClosed, route, digest);
            }
        }
    }
}
