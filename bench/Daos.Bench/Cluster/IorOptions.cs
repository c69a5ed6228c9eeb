using System.Globalization;

namespace Daos.Bench.Cluster;

/// <summary>The shape of one IOR run, with IOR's names: -b block, -t transfer, -s segments, file-per-process or shared.</summary>
internal sealed record IorOptions
{
    /// <summary>Tasks, each with its own <c>DaosClient</c> (IOR's processes).</summary>
    public int Clients { get; init; } = 4;

    /// <summary>Bytes each task writes per segment (IOR -b).</summary>
    public long BlockBytes { get; init; } = 64L << 20;

    /// <summary>Bytes per write or read call (IOR -t); one call at a time per task, as IOR issues them.</summary>
    public int TransferBytes { get; init; } = 1 << 20;

    /// <summary>Segments (IOR -s): in a shared array, segment s holds every task's block s one after another.</summary>
    public int Segments { get; init; } = 1;

    /// <summary>One array shared by every task (IOR without -F, segmented layout) instead of one array per task.</summary>
    public bool Shared { get; init; }

    /// <summary>The arrays' object class (SX: chunks spread over every target).</summary>
    public string ObjectClass { get; init; } = "SX";

    /// <summary>The arrays' chunk size in bytes (cells of one byte): one dkey, one target, per chunk.</summary>
    public long ChunkBytes { get; init; } = 1L << 20;

    /// <summary>Bytes each task moves per phase.</summary>
    public long BytesPerClient => BlockBytes * Segments;

    /// <summary>Bytes moved per phase by all tasks.</summary>
    public long TotalBytes => BytesPerClient * Clients;

    public string Layout => Shared ? "shared (segmented)" : "file-per-process";

    public void Validate()
    {
        if (Clients < 1 || TransferBytes < 16 || BlockBytes < TransferBytes || BlockBytes % TransferBytes != 0 || Segments < 1 || ChunkBytes < 1)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"IOR shape: clients >= 1, transfer >= 16 B, block a positive multiple of the transfer, segments >= 1 (got {Clients} clients, -b {BlockBytes}, -t {TransferBytes}, -s {Segments})"));
        }

        if (BytesPerClient / TransferBytes > int.MaxValue)
        {
            throw new ArgumentException("too many transfers per client");
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Clients} clients, {Layout}, -b {BlockBytes >> 20} MiB -t {TransferBytes >> 10} KiB -s {Segments}, class {ObjectClass}, chunk {ChunkBytes >> 10} KiB, {TotalBytes >> 20} MiB per phase");
}
