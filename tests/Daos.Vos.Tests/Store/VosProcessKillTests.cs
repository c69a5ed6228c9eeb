using System.Globalization;
using Xunit.Abstractions;

namespace Daos.Vos.Tests.Store;

/// <summary>
/// Real files, real process death: the crash child runs its VOS workload (tests/Daos.Vos.CrashChild/VosWorkload.cs)
/// on a pool in a temporary directory and reports each completed write; the test kills it with SIGKILL after a
/// seeded number of reports, reopens the pool with <see cref="VosPool.OpenAsync(string, VosPoolOptions?)"/> and checks
/// that every reported write is readable with the right bytes. Rounds reuse the directory, so later rounds recover
/// a pool that was itself recovered.
/// </summary>
public sealed class VosProcessKillTests(ITestOutputHelper output)
{
    private static readonly ObjectId Object = ObjectId.Create(ObjectType.MultiLexical, ObjectClass.S1, 7);
    private static readonly Guid Container = Guid.Parse("c0ffee00-0000-4000-8000-00000000dead");

    [Fact]
    public async Task Every_reported_vos_write_survives_sigkill()
    {
        string directory = Path.Combine(Path.GetTempPath(), "daos-vos-kill-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(directory);
        try
        {
            var random = new DeterministicRandom(4242);
            for (int round = 0; round < 3; round++)
            {
                int killAfter = random.Next(50, 600);
                long reported = RunChildAndKill(directory, killAfter);
                await using VosPool pool = await VosPool.OpenAsync(directory);
                VosContainer c = await pool.OpenContainerAsync(Container);
                var late = new Epoch(ulong.MaxValue - 1);
                byte[]? counter = await c.FetchAsync(Object, late, "counter"u8.ToArray(), "n"u8.ToArray());
                long last = counter is null ? 0 : BitConverter.ToInt64(counter);
                output.WriteLine($"round {round}: killed after {killAfter} reports, last reported {reported}, recovered {last}; {pool.Recovery}");
                Assert.True(last >= reported, $"seed 4242 round {round}: write {reported} was reported but the pool ends at {last}");
                for (long i = Math.Max(1, last - 63); i <= last; i++)
                {
                    byte[] key = System.Text.Encoding.UTF8.GetBytes("k" + (i % 64).ToString(CultureInfo.InvariantCulture));
                    byte[]? value = await c.FetchAsync(Object, late, key, "v"u8.ToArray());
                    Assert.True(value is not null, $"seed 4242 round {round}: write {i} is missing");
                    // The write after the last counter update may have landed (its counter update had not).
                    long found = BitConverter.ToInt64(value);
                    Assert.True(found == i || (found == last + 1 && found % 64 == i % 64), $"seed 4242 round {round}: slot of write {i} holds {found}");
                    Assert.Equal(found % 2 == 0 ? 5000 : 50, value!.Length);
                    Assert.True(value.AsSpan(8).IndexOfAnyExcept((byte)found) < 0, $"seed 4242 round {round}: write {found} is damaged");
                }
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static long RunChildAndKill(string directory, int killAfter) =>
        CrashChildProcess.RunAndKill(directory, killAfter, "vos");
}
