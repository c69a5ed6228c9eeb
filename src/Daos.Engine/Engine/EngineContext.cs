using Daos.Engine.Pools;

namespace Daos.Engine.Engine;

/// <summary>What the engine's services share: options, calls to other engines, the clock and the seeded randomness.</summary>
internal sealed class EngineContext(DaosEngineOptions options, EngineCalls calls, HybridLogicalClock clock, PoolServiceClient poolServices)
{
    // The seed goes through the generator before the rank is folded in: a host that already folded the rank into the
    // seed the same way would otherwise cancel it out and give every engine the same election jitter (replicas that
    // time out on the same tick split their votes round after round).
    private readonly DeterministicRandom _random = new(new DeterministicRandom(options.Seed).NextUInt64() ^ ((ulong)options.Rank * 0x9E3779B97F4A7C15UL));
    private readonly Lock _randomGate = new();

    public DaosEngineOptions Options { get; } = options;

    public int Rank => Options.Rank;

    public TimeProvider Time => Options.TimeProvider;

    public EngineCalls Calls { get; } = calls;

    public HybridLogicalClock Clock { get; } = clock;

    public PoolServiceClient PoolServices { get; } = poolServices;

    /// <summary>Awaits the test seam at <paramref name="step"/> of the create of <paramref name="uuid"/> (nothing in production).</summary>
    public Task StepReachedAsync(ServiceStep step, Guid uuid) =>
        Options.ServiceStepReached is { } hook ? hook(step, uuid) : Task.CompletedTask;

    /// <summary>A new random (version 4) uuid from the seeded source.</summary>
    public Guid NewUuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        lock (_randomGate)
        {
            _random.NextBytes(bytes);
        }

        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>An independent random source (for a replica's election jitter).</summary>
    public DeterministicRandom ForkRandom()
    {
        lock (_randomGate)
        {
            return _random.Fork();
        }
    }
}
