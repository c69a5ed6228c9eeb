using System.Globalization;
using Daos.Harness.Time;
using Daos.Storage;
using Daos.Vos.Umem;
using Xunit.Abstractions;

namespace Daos.Vos.Tests.Umem;

/// <summary>
/// Real files, real process death: a child process commits transactions on a heap in a temporary directory and
/// reports each completed commit on stdout; the test kills it with SIGKILL after a seeded number of reports (it
/// is then in the middle of later commits, WAL writes or checkpoints), reopens the heap and checks that every
/// reported commit is there and the heap is consistent. Several rounds reuse the same directory, so later rounds
/// recover from a heap that was itself recovered.
/// </summary>
public sealed class ProcessKillTests(ITestOutputHelper output)
{
    private const int SlotCount = 64;
    private const int BlockBytes = 200;

    [Fact]
    public void Every_reported_commit_survives_sigkill()
    {
        string directory = Path.Combine(Path.GetTempPath(), "daos-umem-kill-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(directory);
        try
        {
            var random = new DeterministicRandom(2026);
            for (int round = 0; round < 4; round++)
            {
                int killAfter = random.Next(100, 1500);
                long reported = RunChildAndKill(directory, killAfter);
                var options = new UmemOptions
                {
                    HeapSizeBytes = 4 << 20,
                    WalSizeBytes = 256 * 1024,
                    TimeProvider = new ManualTimeProvider(),
                    HeapId = 0x5EED,
                };
                using UmemHeap heap = UmemHeap.Open(FileMedium.Open(directory), "target", options);
                long last = heap.Read<long>(UmemHeap.RootOffset);
                output.WriteLine($"round {round}: killed after {killAfter} reports, last reported {reported}, recovered {last}; {heap.Recovery}");
                Assert.True(last >= reported, $"seed 2026 round {round}: commit {reported} was reported but the heap ends at {last}");
                long used = 0;
                for (long i = Math.Max(1, last - SlotCount + 1); i <= last; i++)
                {
                    long slot = UmemHeap.RootOffset + 8 + i % SlotCount * 16;
                    Assert.Equal(i, heap.Read<long>(slot));
                    long block = heap.Read<long>(slot + 8);
                    Assert.Equal(i, heap.Read<long>(block));
                    Assert.True(heap.Read(block + 8, BlockBytes - 8).IndexOfAnyExcept((byte)i) < 0, $"block of commit {i} is damaged");
                    used += heap.Allocator.UsableSize(block);
                }

                Assert.Equal(used, heap.Space.UsedBytes);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static long RunChildAndKill(string directory, int killAfter) =>
        CrashChildProcess.RunAndKill(directory, killAfter);
}
