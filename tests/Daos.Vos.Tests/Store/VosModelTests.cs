using Daos.Harness.Storage;
using Daos.Vos.Store;
using Xunit.Abstractions;
using static Daos.Vos.Tests.Store.VosTestKit;

namespace Daos.Vos.Tests.Store;

/// <summary>
/// Model-based tests: random single-value updates, array writes, extent/akey/dkey/object punches at random epochs in
/// random order, aggregation, discard, clean reopen and crash-then-recover, each followed by random fetches, reads
/// and listings at random epochs compared with <see cref="VosModel"/>, which replays the whole history.
/// </summary>
public sealed class VosModelTests(ITestOutputHelper output)
{
    private static readonly ObjectId[] Objects = [Hashed, Lexical, UInt64Keys];
    private const int RecordSize = 4;

    [Fact]
    public async Task Random_histories_match_the_model()
    {
        long checks = 0;
        for (ulong seed = 1; seed <= 120; seed++)
        {
            checks += await RunAsync(seed, operations: 50);
        }

        output.WriteLine($"{checks} checks");
        Assert.True(checks >= 10_000, $"only {checks} checks");
    }

    [Fact]
    [Trait("Category", "Soak")]
    public async Task Soak_random_histories_match_the_model()
    {
        long checks = 0;
        for (ulong seed = 10_000; checks < 1_000_000; seed++)
        {
            checks += await RunAsync(seed, operations: 120);
        }

        output.WriteLine($"{checks} checks");
    }

    private static async Task<long> RunAsync(ulong seed, int operations)
    {
        var random = new DeterministicRandom(seed);
        var medium = new SimulatedMedium("model");
        VosPool pool = await VosPool.CreateAsync(medium, Options());
        VosContainer container = await pool.CreateContainerAsync(ContainerId);
        var model = new VosModel();
        ulong maxEpoch = 1;
        long checks = 0;
        for (int step = 0; step < operations; step++)
        {
            string where = $"seed {seed}, step {step}";
            ulong epoch = model.Floor + 1 + (ulong)random.Next(12);
            maxEpoch = Math.Max(maxEpoch, epoch);
            ObjectId oid = Objects[random.Next(Objects.Length)];
            byte[] dkey = Key(random.Next(3));
            int choice = random.Next(100);
            try
            {
                if (choice < 30)
                {
                    byte[] akey = Key(100 + random.Next(2));
                    byte[] value = Bytes(1 + random.Next(150), random.Next(1 << 20));
                    await container.UpdateAsync(oid, E(epoch), dkey, akey, value);
                    model.Add(VosModel.Kind.Single, epoch, oid, dkey, akey, value);
                }
                else if (choice < 60)
                {
                    byte[] akey = Key(200 + random.Next(2));
                    long index = random.Next(48);
                    int count = 1 + random.Next(12);
                    byte[] data = Bytes(count * RecordSize, random.Next(1 << 20));
                    await container.WriteAsync(oid, E(epoch), dkey, akey, index, RecordSize, data);
                    model.Add(VosModel.Kind.Extent, epoch, oid, dkey, akey, data, index, count, RecordSize);
                }
                else if (choice < 66)
                {
                    byte[] akey = Key(200 + random.Next(2));
                    long index = random.Next(48);
                    int count = 1 + random.Next(8);
                    await container.PunchExtentsAsync(oid, E(epoch), dkey, akey, new Extent(index, count));
                    model.Add(VosModel.Kind.Hole, epoch, oid, dkey, akey, null, index, count);
                }
                else if (choice < 72)
                {
                    byte[] akey = Key(random.Chance(0.5) ? 100 + random.Next(2) : 200 + random.Next(2));
                    await container.PunchAkeyAsync(oid, E(epoch), dkey, akey);
                    model.Add(VosModel.Kind.PunchAkey, epoch, oid, dkey, akey);
                }
                else if (choice < 77)
                {
                    await container.PunchDkeyAsync(oid, E(epoch), dkey);
                    model.Add(VosModel.Kind.PunchDkey, epoch, oid, dkey, null);
                }
                else if (choice < 80)
                {
                    await container.PunchObjectAsync(oid, E(epoch));
                    model.Add(VosModel.Kind.PunchObject, epoch, oid, null, null);
                }
                else if (choice < 86)
                {
                    ulong upTo = model.Floor + (ulong)random.Next((int)(maxEpoch - model.Floor) + 1);
                    await container.AggregateAsync(E(upTo));
                    model.Aggregate(upTo);
                }
                else if (choice < 90)
                {
                    ulong from = model.Floor + 1 + (ulong)random.Next(12);
                    ulong to = from + (ulong)random.Next(3);
                    await container.DiscardAsync(E(from), E(to));
                    model.Discard(from, to);
                }
                else if (choice < 95)
                {
                    await pool.DisposeAsync();
                    pool = await VosPool.OpenAsync(medium, null);
                    container = await pool.OpenContainerAsync(ContainerId);
                }
                else
                {
                    medium.Crash(seed * 1000 + (ulong)step);
                    pool = await VosPool.OpenAsync(medium, null);
                    container = await pool.OpenContainerAsync(ContainerId);
                }
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                throw new InvalidOperationException($"{where}: operation {choice} failed: {e.Message}", e);
            }

            for (int q = 0; q < 12; q++)
            {
                ulong readEpoch = model.Floor + (ulong)random.Next((int)(maxEpoch - model.Floor) + 3);
                await CheckAsync(container, model, random, readEpoch, $"{where}, query {q} at epoch {readEpoch}");
                checks++;
            }
        }

        await pool.DisposeAsync();
        return checks;
    }

    private static async Task CheckAsync(VosContainer container, VosModel model, DeterministicRandom random, ulong epoch, string where)
    {
        ObjectId oid = Objects[random.Next(Objects.Length)];
        byte[] dkey = Key(random.Next(3));
        switch (random.Next(5))
        {
            case 0:
            {
                byte[] akey = Key(100 + random.Next(2));
                byte[]? expected = model.Fetch(oid, epoch, dkey, akey);
                byte[]? actual = await container.FetchAsync(oid, E(epoch), dkey, akey);
                Assert.True(expected is null ? actual is null : actual is not null && expected.AsSpan().SequenceEqual(actual),
                    $"{where}: fetch {Convert.ToHexString(dkey)}/{Convert.ToHexString(akey)} gave {Show(actual)}, model {Show(expected)}");
                break;
            }

            case 1:
            {
                byte[] akey = Key(200 + random.Next(2));
                long index = random.Next(56);
                int count = 1 + random.Next(16);
                VosModel.Op?[] records = model.Records(oid, epoch, dkey, akey, index, count);
                byte[] expected = new byte[count * RecordSize];
                expected.AsSpan().Fill(0xEE);
                int last = -1;
                var holes = new List<Extent>();
                for (int r = 0; r < count; r++)
                {
                    if (records[r] is { } op)
                    {
                        op.Value.AsSpan((int)(index + r - op.Index) * RecordSize, RecordSize).CopyTo(expected.AsSpan(r * RecordSize));
                        last = r;
                    }
                }

                for (int r = 0; r < last; r++)
                {
                    if (records[r] is null)
                    {
                        if (holes.Count > 0 && holes[^1].End == index + r)
                        {
                            holes[^1] = new Extent(holes[^1].Index, holes[^1].Count + 1);
                        }
                        else
                        {
                            holes.Add(new Extent(index + r, 1));
                        }
                    }
                }

                byte[] actual = new byte[count * RecordSize];
                actual.AsSpan().Fill(0xEE);
                ArrayReadResult result = await container.ReadAsync(oid, E(epoch), dkey, akey, index, RecordSize, actual);
                Assert.True(expected.AsSpan().SequenceEqual(actual), $"{where}: read [{index}, +{count}) bytes differ");
                Assert.True((last + 1) * RecordSize == result.Length, $"{where}: read length {result.Length}, model {(last + 1) * RecordSize}");
                Assert.True(holes.SequenceEqual(result.Holes), $"{where}: holes {string.Join(",", result.Holes)}, model {string.Join(",", holes)}");
                break;
            }

            case 2:
            {
                byte[] akey = Key(200 + random.Next(2));
                VosModel.Op?[] records = model.Records(oid, epoch, dkey, akey, 0, 64);
                var expected = new List<Extent>();
                for (int r = 0; r < 64; r++)
                {
                    if (records[r] is null)
                    {
                        continue;
                    }

                    if (expected.Count > 0 && expected[^1].End == r)
                    {
                        expected[^1] = new Extent(expected[^1].Index, expected[^1].Count + 1);
                    }
                    else
                    {
                        expected.Add(new Extent(r, 1));
                    }
                }

                List<Extent> actual = await ToListAsync(container.ListExtentsAsync(oid, E(epoch), dkey, akey));
                Assert.True(expected.SequenceEqual(actual), $"{where}: extents {string.Join(",", actual)}, model {string.Join(",", expected)}");
                long? max = await container.QueryMaxIndexAsync(oid, E(epoch), dkey, akey);
                Assert.True((expected.Count == 0 ? null : expected[^1].End - 1) == max, $"{where}: max index {max}");
                break;
            }

            case 3:
            {
                List<ObjectId> objects = await ToListAsync(container.ListObjectsAsync(E(epoch)));
                List<ObjectId> expected = Objects.Where(o => model.ObjectExists(o, epoch)).Order().ToList();
                Assert.True(expected.SequenceEqual(objects), $"{where}: objects {string.Join(",", objects)}, model {string.Join(",", expected)}");
                List<byte[]> dkeys = await ToListAsync(container.ListDkeysAsync(oid, E(epoch)));
                List<byte[]> expectedDkeys = Enumerable.Range(0, 3).Select(Key).Where(k => model.DkeyExists(oid, epoch, k))
                    .Order(KeyOrder.ForDkeys(oid.Type)).ToList();
                Assert.True(expectedDkeys.Select(Convert.ToHexString).SequenceEqual(dkeys.Select(Convert.ToHexString)),
                    $"{where}: dkeys {string.Join(",", dkeys.Select(Convert.ToHexString))}, model {string.Join(",", expectedDkeys.Select(Convert.ToHexString))}");
                break;
            }

            default:
            {
                List<byte[]> akeys = await ToListAsync(container.ListAkeysAsync(oid, E(epoch), dkey));
                List<byte[]> expected = new[] { 100, 101, 200, 201 }.Select(Key).Where(k => model.AkeyExists(oid, epoch, dkey, k))
                    .Order(KeyOrder.ForAkeys(oid.Type)).ToList();
                Assert.True(expected.Select(Convert.ToHexString).SequenceEqual(akeys.Select(Convert.ToHexString)),
                    $"{where}: akeys {string.Join(",", akeys.Select(Convert.ToHexString))}, model {string.Join(",", expected.Select(Convert.ToHexString))}");
                break;
            }
        }
    }

    private static byte[] Key(int i) => BitConverter.GetBytes((ulong)i * 0x0101 + 7);

    private static string Show(byte[]? value) => value is null ? "null" : $"{value.Length} bytes {Convert.ToHexString(value.AsSpan(0, Math.Min(8, value.Length)))}";
}
