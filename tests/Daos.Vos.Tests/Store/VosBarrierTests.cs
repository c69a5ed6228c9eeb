using Daos.Harness.Storage;
using static Daos.Vos.Tests.Store.VosTestKit;

namespace Daos.Vos.Tests.Store;

/// <summary>
/// How many barriers a durable update costs, counted on the simulated medium (the figure the benchmarks turn into
/// time): one WAL barrier for inline values and for blob values up to 64 KiB (their data rides in the record); two
/// for larger blob values, the blob file's first, before the record is written.
/// </summary>
public sealed class VosBarrierTests
{
    [Theory]
    [InlineData(64, 0)]
    [InlineData(4096, 0)]
    [InlineData(65536, 0)]
    [InlineData(65537, 1)]
    [InlineData(1 << 20, 1)]
    public async Task An_update_takes_one_wal_barrier_and_a_blob_barrier_only_above_64_KiB(int valueBytes, int blobBarriers)
    {
        (SimulatedMedium medium, VosPool pool, VosContainer c) =
            await NewAsync(Options(inlineThresholdBytes: 4096, heapBytes: 8L << 20, blobBytes: 8L << 20) with { WalSizeBytes = 16L << 20 });
        await c.UpdateAsync(Hashed, E(1), K("warm"), K("a"), Bytes(100, 1)); // creates the object outside the count
        medium.StartRecording();
        byte[] value = Bytes(valueBytes, 2);
        await c.UpdateAsync(Hashed, E(2), K("dkey-0123456789a"), K("a"), value);
        IReadOnlyList<MediumEvent> events = medium.Recorded;
        Assert.Equal(1, events.Count(e => e.IsDurabilityPoint && e.File.EndsWith(".wal", StringComparison.Ordinal)));
        Assert.Equal(blobBarriers, events.Count(e => e.IsDurabilityPoint && e.File.EndsWith(".blob", StringComparison.Ordinal)));
        Assert.Equal(1 + blobBarriers, events.Count(e => e.IsDurabilityPoint));
        if (blobBarriers == 1)
        {
            int blobFlush = events.ToList().FindIndex(e => e.IsDurabilityPoint && e.File.EndsWith(".blob", StringComparison.Ordinal));
            int walWrite = events.ToList().FindIndex(e => e.Kind == "Write" && e.File.EndsWith(".wal", StringComparison.Ordinal));
            Assert.True(blobFlush < walWrite, $"the record was written (event {walWrite}) before the blob data was durable (event {blobFlush})");
        }

        Assert.Equal(value, await c.FetchAsync(Hashed, E(2), K("dkey-0123456789a"), K("a")));
        await pool.DisposeAsync();
        VosPool reopened = await VosPool.OpenAsync(medium, null);
        VosContainer again = await reopened.OpenContainerAsync(ContainerId);
        Assert.Equal(value, await again.FetchAsync(Hashed, E(2), K("dkey-0123456789a"), K("a")));
        await reopened.DisposeAsync();
    }
}
