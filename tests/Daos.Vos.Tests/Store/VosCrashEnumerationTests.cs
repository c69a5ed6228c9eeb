using Daos.Harness.Storage;
using Daos.Vos.Store;
using Xunit.Abstractions;
using static Daos.Vos.Tests.Store.VosTestKit;

namespace Daos.Vos.Tests.Store;

/// <summary>
/// Crash-state enumeration over VOS operations: a workload of updates (inline, blob data logged in the WAL, blob
/// data made durable before the record), array writes, punches,
/// aggregation, discard, container creation and destruction and checkpoints is recorded on a simulated medium; the
/// medium is then cut after every recorded write or barrier and crashed with several seeds (pending writes kept,
/// dropped or torn). Each crashed state must open, and what it reads must equal the state after some operation k
/// no earlier than the last one acknowledged before the cut; a second open must read the same.
/// </summary>
public sealed class VosCrashEnumerationTests(ITestOutputHelper output)
{
    private static readonly ObjectId NumberedDkeys = ObjectId.Create(ObjectType.DkeyUInt64, ObjectClass.S1, 4);
    private static readonly Guid Second = Guid.Parse("a1b2c3d4-0000-4000-8000-00000000c0de");

    [Fact]
    public async Task Every_crash_state_of_vos_workloads_recovers_to_an_acknowledged_operation()
    {
        long states = 0, merged = 0;
        for (ulong seed = 1; seed <= 12; seed++)
        {
            (long s, long m) = await EnumerateAsync(seed, operations: 60, seedsPerPoint: 4);
            states += s;
            merged += m;
        }

        output.WriteLine($"{states} crash states checked; the workloads merged {merged} extents in aggregation");
        Assert.True(states >= 5_000, $"only {states} crash states");
        Assert.True(merged >= 10, $"the workloads merged only {merged} extents");
    }

    [Fact]
    public async Task Every_crash_state_of_a_many_dkey_workload_recovers_to_trees_that_verify()
    {
        // Forty dkeys over two objects (hashed and uint64 dkeys), so the dkey trees split, merge and shrink back to an
        // embedded record under crashes; object punches and discards empty whole subtrees. Every recovered state's
        // trees are walked and checked (VerifyTrees) as part of its signature.
        long states = 0;
        for (ulong seed = 1; seed <= 3; seed++)
        {
            states += (await EnumerateAsync(seed + 500, operations: 70, seedsPerPoint: 2, dkeys: 40)).States;
        }

        output.WriteLine($"{states} crash states checked");
        Assert.True(states >= 1_000, $"only {states} crash states");
    }

    [Fact]
    [Trait("Category", "Soak")]
    public async Task Soak_crash_states_of_many_vos_workloads()
    {
        long states = 0;
        for (ulong seed = 100; seed < 200; seed++)
        {
            states += (await EnumerateAsync(seed, operations: 80, seedsPerPoint: 5)).States;
        }

        output.WriteLine($"{states} crash states checked");
    }

    private static VosPoolOptions SmallOptions() => Options(inlineThresholdBytes: 128, heapBytes: 1L << 20, blobBytes: 1L << 20) with { WalSizeBytes = 128 * 1024 };

    private static async Task<(long States, long Merged)> EnumerateAsync(ulong seed, int operations, int seedsPerPoint, int dkeys = 3)
    {
        var medium = new SimulatedMedium("crash");
        VosPool pool = await VosPool.CreateAsync(medium, SmallOptions());
        VosContainer c = await pool.CreateContainerAsync(ContainerId);
        medium.StartRecording();
        var signatures = new List<ulong> { await SignatureAsync(pool) };
        var operationCounts = new List<int> { medium.Recorded.Count };
        var random = new DeterministicRandom(seed);
        bool second = false;
        long merged = 0;
        VosTransactionId? prepared = null;
        var kinds = new List<int>();
        for (int i = 0; i < operations; i++)
        {
            ulong epoch = 10 + (ulong)i;
            ObjectId oid = dkeys > 3 && random.Chance(0.4) ? NumberedDkeys : Hashed;
            ReadOnlyMemory<byte> dkey = oid == NumberedDkeys ? K((ulong)random.Next(dkeys)) : K($"d{random.Next(dkeys)}");
            int kind = random.Next(11);
            if (dkeys > 3 && kind == 8)
            {
                kind = random.Chance(0.5) ? 12 : 13; // many-dkey workloads punch objects and discard instead
            }

            kinds.Add(kind);
            switch (kind)
            {
                case 0 or 1 or 2:
                    // 40 B inline; 300 B in the blob, logged in the WAL record; 40,000 B in the blob, too big for this
                    // WAL's record share, so made durable in the blob file before the record.
                    await c.UpdateAsync(oid, E(epoch), dkey, K("s"), Bytes(random.Chance(0.3) ? (random.Chance(0.25) ? 40_000 : 300) : 40, i));
                    break;
                case 3 or 4:
                    await c.WriteAsync(oid, E(epoch), dkey, K("a"), random.Next(20), 16, Bytes(16 * (1 + random.Next(12)), i));
                    break;
                case 5:
                    await c.PunchAkeyAsync(oid, E(epoch), dkey, K("s"));
                    break;
                case 6:
                    await c.PunchDkeyAsync(oid, E(epoch), dkey);
                    break;
                case 12:
                    await c.PunchObjectAsync(oid, E(epoch));
                    break;
                case 13:
                    await c.DiscardAsync(E(epoch - 1 - (ulong)random.Next(6)), E(epoch - 1));
                    break;
                case 7:
                    long before = c.MergedRecordCount;
                    await c.AggregateAsync(E(epoch - 1));
                    merged += c.MergedRecordCount - before;
                    break;
                case 8:
                    if (second)
                    {
                        await pool.DestroyContainerAsync(Second);
                    }
                    else
                    {
                        VosContainer other = await pool.CreateContainerAsync(Second);
                        signatures.Add(await SignatureAsync(pool)); // two acknowledged operations
                        operationCounts.Add(medium.Recorded.Count);
                        await other.UpdateAsync(Lexical, E(epoch), dkey, K("x"), Bytes(200, i));
                    }

                    second = !second;
                    break;
                case 9:
                    await pool.CheckpointAsync();
                    break;
                default:
                    // The transaction table: prepare two changes, then commit or abort them.
                    if (prepared is null)
                    {
                        prepared = new VosTransactionId((uint)i + 1);
                        await c.UpdateAsync(prepared.Value, Hashed, E(epoch), dkey, K("t"), Bytes(random.Chance(0.5) ? 300 : 30, i));
                        await c.WriteAsync(prepared.Value, Hashed, E(epoch), dkey, K("a"), random.Next(20), 16, Bytes(32, i));
                    }
                    else if (random.Chance(0.5))
                    {
                        await c.CommitTransactionAsync(prepared.Value);
                        prepared = null;
                    }
                    else
                    {
                        await c.AbortTransactionAsync(prepared.Value);
                        prepared = null;
                    }

                    break;
            }

            signatures.Add(await SignatureAsync(pool));
            operationCounts.Add(medium.Recorded.Count);
        }

        long states = 0;
        int points = medium.Recorded.Count;
        for (int point = 0; point <= points; point++)
        {
            int acknowledged = operationCounts.FindLastIndex(n => n <= point);
            for (int s = 0; s < seedsPerPoint; s++)
            {
                ulong crashSeed = (seed << 40) ^ ((ulong)point << 8) ^ (ulong)s;
                string where = $"workload seed {seed}, crash after medium operation {point} of {points}, crash seed {crashSeed}";
                SimulatedMedium crashed = medium.CrashAfter(point, crashSeed);
                ulong recovered;
                try
                {
                    VosPool reopened = await VosPool.OpenAsync(crashed, null);
                    recovered = await SignatureAsync(reopened);
                    await reopened.DisposeAsync();
                    VosPool again = await VosPool.OpenAsync(crashed, null);
                    Assert.True(await SignatureAsync(again) == recovered, $"{where}: a second open read differently");
                    await again.DisposeAsync();
                }
                catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                {
                    throw new InvalidOperationException($"{where}: recovery failed: {e.Message}", e);
                }

                int k = signatures.IndexOf(recovered, acknowledged);
                Assert.True(k >= acknowledged, $"{where}: recovered state is not the state after operation {acknowledged} or later (found at {signatures.IndexOf(recovered)}); operation kinds {string.Join(",", kinds)}, medium counts {string.Join(",", operationCounts)}");
                states++;
            }
        }

        return (states, merged);
    }

    /// <summary>A hash of everything a read at a late epoch sees in both containers, plus the space they use.</summary>
    private static async Task<ulong> SignatureAsync(VosPool pool)
    {
        ulong hash = 0;
        var late = E(1000);
        foreach (Guid id in new[] { ContainerId, Second })
        {
            VosContainer c;
            try
            {
                c = await pool.OpenContainerAsync(id);
            }
            catch (DaosException e) when (e.Error == DaosError.NonExistent)
            {
                hash = XxHash64.Hash("absent"u8, hash);
                continue;
            }

            // The trees themselves: every tree verifies, names each record once, and agrees with the record count
            // (their shape is not hashed: a crash between aggregation's slices leaves fewer records that read the same).
            c.VerifyTrees();
            foreach (ObjectId oid in await ToListAsync(c.ListObjectsAsync(late)))
            {
                hash = XxHash64.Hash(BitConverter.GetBytes(oid.Lo), hash);
                foreach (byte[] dkey in await ToListAsync(c.ListDkeysAsync(oid, late)))
                {
                    hash = XxHash64.Hash(dkey, hash);
                    foreach (byte[] akey in await ToListAsync(c.ListAkeysAsync(oid, late, dkey)))
                    {
                        hash = XxHash64.Hash(akey, hash);
                        byte[]? value = await c.FetchAsync(oid, late, dkey, akey);
                        if (value is not null)
                        {
                            hash = XxHash64.Hash(value, hash);
                            continue;
                        }

                        byte[] records = new byte[16 * 40];
                        ArrayReadResult r = await c.ReadAsync(oid, late, dkey, akey, 0, 16, records);
                        hash = XxHash64.Hash(records.AsSpan(0, r.Length), hash ^ (ulong)r.Length);
                    }
                }
            }
        }

        return hash;
    }
}
