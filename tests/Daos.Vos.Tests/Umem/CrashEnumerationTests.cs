using Daos.Harness.Storage;
using Daos.Vos.Umem;
using Xunit.Abstractions;
using static Daos.Vos.Tests.Umem.HeapTestKit;

namespace Daos.Vos.Tests.Umem;

/// <summary>
/// Crash-state enumeration in the manner of CrashMonkey and ALICE: every workload's write stream is cut just before
/// and just after each durability point; at each cut the in-flight writes are kept, dropped or torn by several
/// seeds; the crashed medium is recovered and judged against the workload's history. A state passes when the
/// image is exactly the state after some commit k (no partial transaction), k is at least the number of commits
/// acknowledged before the cut, accounting matches, and recovering again gives the same image. Some states are
/// also crashed during their own recovery, and some continue with new commits across another crash.
/// </summary>
public sealed class CrashEnumerationTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_crash_state_of_ten_workloads_recovers_to_an_acknowledged_prefix()
    {
        long states = Enumerate(firstSeed: 1, workloads: 10, seedsPerPoint: 10);
        output.WriteLine($"{states} crash states checked");
        Assert.True(states >= 10_000, $"only {states} crash states");
    }

    [Fact]
    [Trait("Category", "Soak")]
    public void Soak_a_million_crash_states()
    {
        long states = Enumerate(firstSeed: 1000, workloads: 800, seedsPerPoint: 10);
        output.WriteLine($"{states} crash states checked");
        Assert.True(states >= 1_000_000, $"only {states} crash states");
    }

    private long Enumerate(ulong firstSeed, int workloads, int seedsPerPoint)
    {
        long states = 0;
        for (ulong w = firstSeed; w < firstSeed + (ulong)workloads; w++)
        {
            CrashWorkload workload;
            try
            {
                workload = new CrashWorkload(w);
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                throw new InvalidOperationException($"workload seed {w} failed while recording: {e.Message}", e);
            }

            Assert.True(workload.CheckpointCount > 0, $"workload {w} never checkpointed");
            List<int> points = workload.CrashPoints();
            foreach (int point in points)
            {
                for (int s = 0; s < seedsPerPoint; s++)
                {
                    ulong crashSeed = (w << 32) ^ ((ulong)point << 8) ^ (ulong)s;
                    CheckState(workload, point, crashSeed, deep: s == 0 && point % 7 == 0);
                    states++;
                }
            }
        }

        return states;
    }

    private static void CheckState(CrashWorkload workload, int point, ulong crashSeed, bool deep)
    {
        string where = $"workload seed {workload.Seed}, crash after operation {point} of {workload.OperationCount}, crash seed {crashSeed}";
        SimulatedMedium crashed = workload.Medium.CrashAfter(point, crashSeed);
        SimulatedMedium beforeRecovery = deep ? crashed.Clone() : crashed;
        ulong recovered;
        using (UmemHeap heap = Open(crashed, workload.Options))
        {
            recovered = ImageHash(heap);
            Assert.True(workload.Hashes.Contains(recovered), $"{where}: the recovered image is not the state after any commit (partial transaction)");
            int acked = workload.AcknowledgedBy(point);
            // Look from the acknowledged commit on: a later commit may restore an earlier image exactly.
            int k = workload.Hashes.IndexOf(recovered, acked);
            Assert.True(k >= acked, $"{where}: recovered to commit {workload.Hashes.IndexOf(recovered)} but commit {acked} was acknowledged");
            Assert.True(heap.Space.UsedBytes == workload.UsedBytes[k], $"{where}: used bytes {heap.Space.UsedBytes}, expected {workload.UsedBytes[k]}");
        }

        using (UmemHeap again = Open(crashed, workload.Options))
        {
            Assert.True(ImageHash(again) == recovered, $"{where}: a second recovery gave a different image");
        }

        if (!deep)
        {
            return;
        }

        // Crash during recovery: every prefix of the recovery's own writes, then recover again.
        beforeRecovery.StartRecording();
        Open(beforeRecovery, workload.Options).Dispose();
        int recoveryOps = beforeRecovery.Recorded.Count;
        for (int i = 0; i <= recoveryOps; i++)
        {
            SimulatedMedium midRecovery = beforeRecovery.CrashAfter(i, crashSeed + (ulong)i);
            using UmemHeap heap = Open(midRecovery, workload.Options);
            Assert.True(ImageHash(heap) == recovered, $"{where}: crash after operation {i} of recovery changed the outcome");
        }

        // Continue after recovery across another crash: stale records beyond the recovered tail must stay dead.
        var random = new DeterministicRandom(crashSeed);
        ulong expected;
        using (UmemHeap heap = Open(crashed, workload.Options with { FlushScheduler = null }))
        {
            for (int c = 0; c < 3; c++)
            {
                using UmemTransaction tx = heap.Begin();
                tx.Write(UmemHeap.RootOffset + random.Next(200) * 8, Bytes(8 * random.Next(1, 5), random.Next(1000)));
                Commit(tx);
            }

            expected = ImageHash(heap);
        }

        crashed.Crash(crashSeed ^ 0xFFFF);
        using (UmemHeap heap = Open(crashed, workload.Options))
        {
            Assert.True(ImageHash(heap) == expected, $"{where}: commits made after recovery were lost or mixed with stale records");
        }
    }
}
