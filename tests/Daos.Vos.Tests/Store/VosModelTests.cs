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
        long checks = 0, merged = 0;
        for (ulong seed = 1; seed <= 120; seed++)
        {
            (long c, long m) = await RunAsync(seed, operations: 50);
            checks += c;
            merged += m;
        }

        output.WriteLine($"{checks} checks, {merged} extents merged by aggregation");
        Assert.True(checks >= 10_000, $"only {checks} checks");
        Assert.True(merged >= 20, $"aggregation merged only {merged} extents");
    }

    [Fact]
    [Trait("Category", "Soak")]
    public async Task Soak_random_histories_match_the_model()
    {
        long checks = 0;
        for (ulong seed = 10_000; checks < 1_000_000; seed++)
        {
            checks += (await RunAsync(seed, operations: 120)).Checks;
        }

        output.WriteLine($"{checks} checks");
    }

    private static async Task<(long Checks, long Merged)> RunAsync(ulong seed, int operations)
    {
        var random = new DeterministicRandom(seed);
        var medium = new SimulatedMedium("model");
        // A third of the seeds keep one object in memory and a third two, so most operations read their object
        // back from the heap trees; the rest keep every object cached.
        VosPoolOptions options = Options() with { ObjectCacheLimit = (seed % 3) switch { 0 => 1, 1 => 2, _ => VosPoolOptions.ObjectCacheLimitDefault } };
        VosPool pool = await VosPool.CreateAsync(medium, options);
        VosContainer container = await pool.CreateContainerAsync(ContainerId);
        var model = new VosModel();
        ulong maxEpoch = 1;
        long checks = 0;
        long merged = 0;
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
                    VosCondition condition = random.Chance(0.7) ? VosCondition.None : UpdateConditions[random.Next(UpdateConditions.Length)];
                    DaosError? expected = Expected(condition, model.DkeyExists(oid, epoch, dkey), model.AkeyExists(oid, epoch, dkey, akey));
                    if (await OutcomeAsync(() => container.UpdateAsync(oid, E(epoch), dkey, akey, value, condition)) is var error && error != expected)
                    {
                        Assert.Fail($"{where}: update with {condition} gave {error?.ToString() ?? "success"}, model {expected?.ToString() ?? "success"}");
                    }

                    if (expected is null)
                    {
                        model.Add(VosModel.Kind.Single, epoch, oid, dkey, akey, value);
                    }
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
                    bool must = random.Chance(0.3);
                    if (await PunchAsync(must, model.AkeyExists(oid, epoch, dkey, akey),
                        c => container.PunchAkeyAsync(oid, E(epoch), dkey, akey, c), where))
                    {
                        model.Add(VosModel.Kind.PunchAkey, epoch, oid, dkey, akey);
                    }
                }
                else if (choice < 77)
                {
                    bool must = random.Chance(0.3);
                    if (await PunchAsync(must, model.DkeyExists(oid, epoch, dkey), c => container.PunchDkeyAsync(oid, E(epoch), dkey, c), where))
                    {
                        model.Add(VosModel.Kind.PunchDkey, epoch, oid, dkey, null);
                    }
                }
                else if (choice < 80)
                {
                    bool must = random.Chance(0.3);
                    if (await PunchAsync(must, model.ObjectExists(oid, epoch), c => container.PunchObjectAsync(oid, E(epoch), c), where))
                    {
                        model.Add(VosModel.Kind.PunchObject, epoch, oid, null, null);
                    }
                }
                else if (choice < 86)
                {
                    ulong upTo = model.Floor + (ulong)random.Next((int)(maxEpoch - model.Floor) + 1);
                    long before = container.MergedRecordCount;
                    await container.AggregateAsync(E(upTo));
                    model.Aggregate(upTo);
                    merged += container.MergedRecordCount - before;
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
                    pool = await VosPool.OpenAsync(medium, options);
                    container = await pool.OpenContainerAsync(ContainerId);
                }
                else
                {
                    medium.Crash(seed * 1000 + (ulong)step);
                    pool = await VosPool.OpenAsync(medium, options);
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

            VerifyTrees(container, model, maxEpoch, where);
            checks++;
        }

        await pool.DisposeAsync();
        return (checks, merged);
    }

    /// <summary>
    /// Walks the container's heap trees (every tree verified, every record checked against its place, the cache
    /// against the trees) and compares the akeys they hold with the model: an akey that exists in the model at the
    /// aggregation floor or the newest epoch has its node; an akey node without a write in the model's history is an error.
    /// </summary>
    private static void VerifyTrees(VosContainer container, VosModel model, ulong maxEpoch, string where)
    {
        TreeReport report;
        try
        {
            report = container.VerifyTrees();
        }
        catch (DaosException e)
        {
            throw new Xunit.Sdk.XunitException($"{where}: the heap trees do not verify: {e.Message}");
        }

        var inTrees = new HashSet<string>();
        foreach ((ObjectId oid, byte[] dkey, byte[] akey) in report.Akeys)
        {
            inTrees.Add($"{oid}/{Convert.ToHexString(dkey)}/{Convert.ToHexString(akey)}");
        }

        foreach (ObjectId oid in Objects)
        {
            for (int d = 0; d < 3; d++)
            {
                foreach (int a in (int[])[100, 101, 200, 201])
                {
                    string name = $"{oid}/{Convert.ToHexString(Key(d))}/{Convert.ToHexString(Key(a))}";
                    bool visible = model.AkeyExists(oid, maxEpoch, Key(d), Key(a)) || model.AkeyExists(oid, model.Floor, Key(d), Key(a));

                    if (visible && !inTrees.Contains(name))
                    {
                        Assert.Fail($"{where}: akey {name} exists in the model but has no node in the heap trees");
                    }

                    if (inTrees.Contains(name) && !model.HasWrites(oid, Key(d), Key(a)) && !model.HasPunches(oid, Key(d), Key(a)))
                    {
                        Assert.Fail($"{where}: akey {name} has a node in the heap trees but no write or punch in the model");
                    }
                }
            }
        }
    }

    [Fact]
    public async Task Aggregation_merging_leaves_every_read_at_or_above_its_bound_unchanged()
    {
        long merged = 0, reads = 0;
        for (ulong seed = 1; seed <= 120; seed++)
        {
            (long m, long r) = await MergeRunAsync(seed, rounds: 6);
            merged += m;
            reads += r;
        }

        output.WriteLine($"{merged} extents merged, {reads} reads compared");
        Assert.True(merged >= 300, $"aggregation merged only {merged} extents");
    }

    /// <summary>
    /// One array akey under heavy overlapping writes (inline and blob), hole punches and akey punches; after each
    /// aggregation at a random bound, reads at every epoch from the bound to past the newest write must equal what
    /// they were before, and the model.
    /// </summary>
    private static async Task<(long Merged, long Reads)> MergeRunAsync(ulong seed, int rounds)
    {
        const int Span = 96;
        var random = new DeterministicRandom(seed);
        var medium = new SimulatedMedium("merge");
        VosPool pool = await VosPool.CreateAsync(medium, Options(inlineThresholdBytes: 64));
        VosContainer container = await pool.CreateContainerAsync(ContainerId);
        var model = new VosModel();
        ObjectId oid = Objects[random.Next(Objects.Length)];
        byte[] dkey = Key(1), akey = Key(200);
        ulong epoch = 0;
        long merged = 0, reads = 0;
        for (int round = 0; round < rounds; round++)
        {
            for (int w = 0; w < 12; w++)
            {
                epoch += 1 + (ulong)random.Next(2);
                ulong at = Math.Max(model.Floor + 1, epoch - (ulong)random.Next(2)); // sometimes a second change at one epoch
                int choice = random.Next(20);
                long index = random.Next(Span - 8);
                if (choice < 16)
                {
                    int count = 1 + random.Next(Math.Min(40, Span - (int)index));
                    byte[] data = Bytes(count * RecordSize, random.Next(1 << 20));
                    await container.WriteAsync(oid, E(at), dkey, akey, index, RecordSize, data);
                    model.Add(VosModel.Kind.Extent, at, oid, dkey, akey, data, index, count, RecordSize);
                }
                else if (choice < 19)
                {
                    int count = 1 + random.Next(6);
                    await container.PunchExtentsAsync(oid, E(at), dkey, akey, new Extent(index, count));
                    model.Add(VosModel.Kind.Hole, at, oid, dkey, akey, null, index, count);
                }
                else
                {
                    await container.PunchAkeyAsync(oid, E(at), dkey, akey);
                    model.Add(VosModel.Kind.PunchAkey, at, oid, dkey, akey);
                }
            }

            ulong bound = model.Floor + (ulong)random.Next((int)(epoch - model.Floor) + 1);
            var before = new List<(byte[] Bytes, ArrayReadResult Result)>();
            for (ulong e = bound; e <= epoch + 1; e++)
            {
                before.Add(await ReadAllAsync(container, oid, e, dkey, akey, Span));
            }

            long mergedBefore = container.MergedRecordCount;
            await container.AggregateAsync(E(bound));
            model.Aggregate(bound);
            merged += container.MergedRecordCount - mergedBefore;
            if (random.Chance(0.3))
            {
                await pool.DisposeAsync();
                pool = await VosPool.OpenAsync(medium, null);
                container = await pool.OpenContainerAsync(ContainerId);
            }

            for (ulong e = bound; e <= epoch + 1; e++)
            {
                string where = $"seed {seed}, round {round}, aggregated up to {bound}, read at {e}";
                (byte[] bytes, ArrayReadResult result) = await ReadAllAsync(container, oid, e, dkey, akey, Span);
                (byte[] expectedBytes, ArrayReadResult expected) = before[(int)(e - bound)];
                Assert.True(expectedBytes.AsSpan().SequenceEqual(bytes), $"{where}: bytes changed");
                Assert.True(expected.Length == result.Length && expected.Holes.SequenceEqual(result.Holes), $"{where}: length or holes changed");
                VosModel.Op?[] records = model.Records(oid, e, dkey, akey, 0, Span);
                for (int r = 0; r < Span; r++)
                {
                    if (records[r] is { } op)
                    {
                        Assert.True(op.Value.AsSpan((int)(r - op.Index) * RecordSize, RecordSize).SequenceEqual(bytes.AsSpan(r * RecordSize, RecordSize)),
                            $"{where}: record {r} differs from the model");
                    }
                }

                reads++;
            }
        }

        await pool.DisposeAsync();
        return (merged, reads);
    }

    private static async Task<(byte[] Bytes, ArrayReadResult Result)> ReadAllAsync(VosContainer container, ObjectId oid, ulong epoch,
        byte[] dkey, byte[] akey, int records)
    {
        byte[] bytes = new byte[records * RecordSize];
        bytes.AsSpan().Fill(0xEE);
        ArrayReadResult result = await container.ReadAsync(oid, E(epoch), dkey, akey, 0, RecordSize, bytes);
        return (bytes, result);
    }

    private static readonly VosCondition[] UpdateConditions =
    [
        VosCondition.InsertOnly, VosCondition.UpdateOnly, VosCondition.DkeyInsert, VosCondition.DkeyUpdate,
        VosCondition.DkeyUpdate | VosCondition.InsertOnly, VosCondition.DkeyUpdate | VosCondition.UpdateOnly,
    ];

    /// <summary>The error a conditional operation must fail with, given what the model says exists; null for success.</summary>
    private static DaosError? Expected(VosCondition condition, bool dkeyExists, bool akeyExists)
    {
        if (((condition & VosCondition.DkeyInsert) != 0 && dkeyExists) || ((condition & VosCondition.InsertOnly) != 0 && akeyExists))
        {
            return DaosError.Exists;
        }

        if (((condition & (VosCondition.DkeyUpdate | VosCondition.DkeyFetch)) != 0 && !dkeyExists)
            || ((condition & (VosCondition.UpdateOnly | VosCondition.AkeyFetch)) != 0 && !akeyExists))
        {
            return DaosError.NonExistent;
        }

        return null;
    }

    private static async Task<DaosError?> OutcomeAsync(Func<ValueTask> operation)
    {
        try
        {
            await operation();
            return null;
        }
        catch (DaosException e)
        {
            return e.Error;
        }
    }

    /// <summary>A punch, must-exist when <paramref name="must"/>; true when it applied (the model must record it).</summary>
    private static async Task<bool> PunchAsync(bool must, bool exists, Func<VosCondition, ValueTask> punch, string where)
    {
        DaosError? error = await OutcomeAsync(() => punch(must ? VosCondition.Punch : VosCondition.None));
        DaosError? expected = must && !exists ? DaosError.NonExistent : null;
        Assert.True(error == expected, $"{where}: punch (must exist: {must}) gave {error?.ToString() ?? "success"}, model {expected?.ToString() ?? "success"}");
        return error is null;
    }

    private static async Task CheckAsync(VosContainer container, VosModel model, DeterministicRandom random, ulong epoch, string where)
    {
        ObjectId oid = Objects[random.Next(Objects.Length)];
        byte[] dkey = Key(random.Next(3));
        switch (random.Next(7))
        {
            case 0:
            {
                byte[] akey = Key(100 + random.Next(2));
                byte[]? expected = model.Fetch(oid, epoch, dkey, akey);
                VosCondition condition = random.Next(4) switch
                {
                    0 => VosCondition.DkeyFetch,
                    1 => VosCondition.AkeyFetch,
                    2 => VosCondition.DkeyFetch | VosCondition.AkeyFetch,
                    _ => VosCondition.None,
                };
                DaosError? expectedError = Expected(condition, model.DkeyExists(oid, epoch, dkey), model.AkeyExists(oid, epoch, dkey, akey));
                byte[]? actual = null;
                DaosError? error = await OutcomeAsync(async () => actual = await container.FetchAsync(oid, E(epoch), dkey, akey, condition));
                Assert.True(error == expectedError, $"{where}: fetch with {condition} gave {error?.ToString() ?? "success"}, model {expectedError?.ToString() ?? "success"}");
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

            case 5:
            {
                // Paged listings (resumed by anchors, some sent through their bytes) equal the whole listings.
                int pageSize = 1 + random.Next(3);
                List<ObjectId> objects = await PagesAsync((a, n) => container.ListObjectsAsync(E(epoch), a, n), pageSize, random);
                Assert.True(Objects.Where(o => model.ObjectExists(o, epoch)).Order().SequenceEqual(objects), $"{where}: paged objects {string.Join(",", objects)}");
                List<byte[]> dkeys = await PagesAsync((a, n) => container.ListDkeysAsync(oid, E(epoch), a, n), pageSize, random);
                IEnumerable<byte[]> expectedDkeys = Enumerable.Range(0, 3).Select(Key).Where(k => model.DkeyExists(oid, epoch, k)).Order(KeyOrder.ForDkeys(oid.Type));
                Assert.True(expectedDkeys.Select(Convert.ToHexString).SequenceEqual(dkeys.Select(Convert.ToHexString)), $"{where}: paged dkeys (page size {pageSize})");
                List<byte[]> akeys = await PagesAsync((a, n) => container.ListAkeysAsync(oid, E(epoch), dkey, a, n), pageSize, random);
                IEnumerable<byte[]> expectedAkeys = new[] { 100, 101, 200, 201 }.Select(Key).Where(k => model.AkeyExists(oid, epoch, dkey, k)).Order(KeyOrder.ForAkeys(oid.Type));
                Assert.True(expectedAkeys.Select(Convert.ToHexString).SequenceEqual(akeys.Select(Convert.ToHexString)), $"{where}: paged akeys (page size {pageSize})");
                break;
            }

            case 6:
            {
                byte[] akey = Key(200 + random.Next(2));
                int pageSize = 1 + random.Next(3);
                List<Extent> whole = await ToListAsync(container.ListExtentsAsync(oid, E(epoch), dkey, akey));
                List<Extent> paged = await PagesAsync((a, n) => container.ListExtentsAsync(oid, E(epoch), dkey, akey, a, n), pageSize, random);
                Assert.True(whole.SequenceEqual(paged), $"{where}: paged extents {string.Join(",", paged)} (page size {pageSize}), whole {string.Join(",", whole)}");
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

    private static async Task<List<T>> PagesAsync<T>(Func<VosAnchor, int, ValueTask<VosPage<T>>> list, int pageSize, DeterministicRandom random)
    {
        var items = new List<T>();
        VosAnchor anchor = VosAnchor.Start;
        for (int pages = 0; ; pages++)
        {
            Assert.True(pages < 100, "paging does not end");
            VosPage<T> page = await list(anchor, pageSize);
            Assert.True(page.Items.Count <= pageSize, $"a page of {page.Items.Count} items for page size {pageSize}");
            items.AddRange(page.Items);
            if (page.IsEnd)
            {
                return items;
            }

            Assert.True(page.Items.Count == pageSize, "a page short of its size before the end");
            anchor = random.Chance(0.5) ? VosAnchor.FromBytes(page.Next.ToBytes()) : page.Next;
        }
    }

    private static byte[] Key(int i) => BitConverter.GetBytes((ulong)i * 0x0101 + 7);

    private static string Show(byte[]? value) => value is null ? "null" : $"{value.Length} bytes {Convert.ToHexString(value.AsSpan(0, Math.Min(8, value.Length)))}";
}
