using Daos.Bench.Cluster;
using FsCheck;
using FsCheck.Fluent;

namespace Daos.Bench.Tests.Cluster;

/// <summary>The pieces of the load tools that need no cluster: IOR's offsets, the transfer pattern, percentiles, options.</summary>
public sealed class LoadShapeTests
{
    [Fact]
    public void Ior_offsets_tile_the_arrays_exactly_once_in_both_layouts() =>
        Prop.ForAll(Gen.Choose(1, 5).ToArbitrary(), Gen.Choose(1, 4).ToArbitrary(), Gen.Choose(0, 5).ToArbitrary(),
            (clients, transfersPerBlock, layout) =>
            {
                int segments = layout / 2 + 1;
                bool shared = layout % 2 == 1;
                var options = new IorOptions { Clients = clients, TransferBytes = 4096, BlockBytes = 4096L * transfersPerBlock, Segments = segments, Shared = shared };
                int transfers = transfersPerBlock * segments;
                var seen = new HashSet<(int Array, long Offset)>();
                for (int c = 0; c < clients; c++)
                {
                    for (int i = 0; i < transfers; i++)
                    {
                        long offset = IorLoad.OffsetOf(options, c, i);
                        if (offset % 4096 != 0 || !seen.Add((shared ? 0 : c, offset)))
                        {
                            return false;
                        }

                        // Sequential within a task's block, as IOR writes it.
                        if (i % transfersPerBlock > 0 && offset != IorLoad.OffsetOf(options, c, i - 1) + 4096)
                        {
                            return false;
                        }
                    }
                }

                long span = shared ? options.TotalBytes : options.BytesPerClient;
                return seen.All(s => s.Offset < span) && seen.Count == clients * transfers;
            }).QuickCheckThrowOnFailure();

    [Fact]
    public void Shared_layout_puts_each_segment_of_every_task_side_by_side()
    {
        var options = new IorOptions { Clients = 3, TransferBytes = 1024, BlockBytes = 2048, Segments = 2, Shared = true };
        Assert.Equal(0, IorLoad.OffsetOf(options, 0, 0));
        Assert.Equal(1024, IorLoad.OffsetOf(options, 0, 1));
        Assert.Equal(2048, IorLoad.OffsetOf(options, 1, 0));
        Assert.Equal(4096, IorLoad.OffsetOf(options, 2, 0));
        Assert.Equal(6144, IorLoad.OffsetOf(options, 0, 2)); // segment 1 starts after all three blocks of segment 0
        Assert.Equal(6144 + 2048 + 1024, IorLoad.OffsetOf(options, 1, 3));
    }

    [Fact]
    public void Transfer_pattern_tells_apart_offsets_writers_and_holes()
    {
        var pattern = new TransferPattern(64 * 1024, seed: 3);
        byte[] written = pattern.NewBuffer();
        TransferPattern.Stamp(written, writerTag: 1, offset: 1 << 20);
        byte[] same = pattern.NewBuffer();
        TransferPattern.Stamp(same, writerTag: 1, offset: 1 << 20);
        TransferPattern.Verify(written, same, "same", 0);

        byte[] otherOffset = pattern.NewBuffer();
        TransferPattern.Stamp(otherOffset, writerTag: 1, offset: 2 << 20);
        byte[] otherWriter = pattern.NewBuffer();
        TransferPattern.Stamp(otherWriter, writerTag: 2, offset: 1 << 20);
        byte[] hole = new byte[written.Length];
        byte[] onePageMoved = (byte[])written.Clone();
        Array.Copy(written, 0, onePageMoved, 4096 * 5, 4096); // page 0's bytes where page 5 belongs
        foreach (byte[] wrong in new[] { otherOffset, otherWriter, hole, onePageMoved })
        {
            DaosException e = Assert.Throws<DaosException>(() => TransferPattern.Verify(wrong, written, "t", 1 << 20));
            Assert.Equal(DaosError.DataLoss, e.Error);
        }
    }

    [Fact]
    public void Mdtest_values_differ_between_entries_and_tasks()
    {
        var seen = new HashSet<string>();
        for (int c = 0; c < 4; c++)
        {
            for (int i = 0; i < 200; i++)
            {
                Assert.True(seen.Add(Convert.ToHexString(MdtestLoad.ValueOf(c, i, 64))), $"value of task {c} item {i} repeats another");
                Assert.Equal(MdtestLoad.ValueOf(c, i, 64), MdtestLoad.ValueOf(c, i, 64));
            }
        }
    }

    [Fact]
    public void Percentiles_use_the_nearest_rank()
    {
        long tick = System.Diagnostics.Stopwatch.Frequency / 1_000_000; // one microsecond
        long[] sorted = [.. Enumerable.Range(1, 100).Select(i => i * tick)];
        Assert.Equal(50, LatencyRecorder.PercentileMicros(sorted, 0.50), 3);
        Assert.Equal(99, LatencyRecorder.PercentileMicros(sorted, 0.99), 3);
        Assert.Equal(1, LatencyRecorder.PercentileMicros([tick], 0.99), 3);
        Assert.True(double.IsNaN(LatencyRecorder.PercentileMicros([], 0.5)));
        Assert.Equal(2, ClusterLoadModes.Median([3, 1, 2]));
        Assert.Equal(2.5, ClusterLoadModes.Median([4, 1, 2, 3]));
    }

    [Fact]
    public void Options_parse_ior_sizes_and_refuse_unknown_or_bad_ones()
    {
        ClusterBenchOptions o = ClusterBenchOptions.Parse(["-b", "8m", "-t", "256k", "-s", "2", "--shared", "--network", "tcp", "--server", "inproc", "-n", "10", "--clients", "3"]);
        Assert.Equal(8L << 20, o.Ior.BlockBytes);
        Assert.Equal(256 << 10, o.Ior.TransferBytes);
        Assert.Equal(2, o.Ior.Segments);
        Assert.True(o.Ior.Shared && o.Mdtest.Shared);
        Assert.False(o.InProcess);
        Assert.True(o.Tcp);
        Assert.False(o.ServerInChildProcess);
        Assert.Equal(3, o.Mdtest.Clients);
        Assert.Equal(10, o.Mdtest.ItemsPerClient);
        Assert.Throws<ArgumentException>(() => ClusterBenchOptions.Parse(["--blocks", "8m"]));
        Assert.Throws<ArgumentException>(() => ClusterBenchOptions.Parse(["-b", "1m", "-t", "3k"]));   // block not a multiple
        Assert.Throws<ArgumentException>(() => ClusterBenchOptions.Parse(["--network", "udp"]));
        Assert.Throws<ArgumentException>(() => ClusterBenchOptions.Parse(["-b", "-5"]));
    }
}
