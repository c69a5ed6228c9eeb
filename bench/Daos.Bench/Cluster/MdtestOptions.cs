using System.Globalization;

namespace Daos.Bench.Cluster;

/// <summary>The shape of one mdtest run: -n items per task, -w bytes per item, per-task or shared key-value objects.</summary>
internal sealed record MdtestOptions
{
    /// <summary>Tasks, each with its own <c>DaosClient</c>.</summary>
    public int Clients { get; init; } = 4;

    /// <summary>Entries each task creates, stats and removes (mdtest -n).</summary>
    public int ItemsPerClient { get; init; } = 1000;

    /// <summary>Bytes written into each entry at create (mdtest -w).</summary>
    public int ValueBytes { get; init; } = 64;

    /// <summary>Operations each task keeps in flight (mdtest issues one at a time: 1).</summary>
    public int DepthPerClient { get; init; } = 1;

    /// <summary>One key-value object for all tasks (mdtest's shared directory) instead of one per task (-u).</summary>
    public bool Shared { get; init; }

    /// <summary>The key-value objects' class (SX: keys hashed over every target).</summary>
    public string ObjectClass { get; init; } = "SX";

    public long TotalItems => (long)ItemsPerClient * Clients;

    public string Layout => Shared ? "shared key-value object" : "one key-value object per task";

    public void Validate()
    {
        if (Clients < 1 || ItemsPerClient < 1 || ValueBytes is < 16 or > 1 << 20 || DepthPerClient < 1 || DepthPerClient > ItemsPerClient)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"mdtest shape: clients >= 1, items >= 1, value 16 B..1 MiB, depth 1..items (got {Clients}, -n {ItemsPerClient}, -w {ValueBytes}, depth {DepthPerClient})"));
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Clients} clients x {ItemsPerClient} items, {ValueBytes} B values, {DepthPerClient} in flight per client, {Layout}, class {ObjectClass}");
}
