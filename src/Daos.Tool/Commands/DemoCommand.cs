using System.Buffers.Binary;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Daos.Client;
using Daos.Harness;

namespace Daos.Tool.Commands;

/// <summary>
/// <c>demo [--dir PATH] [--keep] [--engines N] [--targets N] [--array-mib N]</c>: starts an in-process cluster on files,
/// creates a pool and a container, writes and reads key-value entries, a multi-akey object and a large array, takes a
/// snapshot and reads the old version, kills and restarts an engine and verifies every byte, prints throughput, and
/// shuts down.
/// </summary>
internal static class DemoCommand
{
    private const int KvEntries = 2000;
    private const int ArrayPieceBytes = 8 << 20;

    public static Command Create()
    {
        var dir = new Option<string?>("--dir") { Description = "Directory for the engines' files (kept afterwards). Default: a fresh temporary directory, removed at the end" };
        var keep = new Option<bool>("--keep") { Description = "Keep the temporary directory afterwards" };
        var engines = new Option<int>("--engines") { Description = "Engines (ranks)", DefaultValueFactory = _ => 3 };
        var targets = new Option<int>("--targets") { Description = "Targets per engine", DefaultValueFactory = _ => 4 };
        var arrayMib = new Option<int>("--array-mib") { Description = "Array size in MiB", DefaultValueFactory = _ => 256 };
        var command = new Command("demo", "Run an in-process cluster on files: pool, container, KV, objects, a large array, a snapshot, an engine restart") { dir, keep, engines, targets, arrayMib };
        command.SetAction((result, ct) => RunAsync(result.GetValue(dir), result.GetValue(keep), result.GetValue(engines), result.GetValue(targets), result.GetValue(arrayMib), ct));
        return command;
    }

    private static async Task<int> RunAsync(string? directory, bool keep, int engines, int targets, int arrayMib, CancellationToken ct)
    {
        if (arrayMib < 8 || arrayMib % 8 != 0)
        {
            throw new DaosException(DaosError.InvalidArgument, $"--array-mib must be a positive multiple of 8, not {arrayMib}");
        }

        bool temporary = directory is null;
        directory ??= Path.Combine(Path.GetTempPath(), "daos-demo-" + Convert.ToHexString(Guid.NewGuid().ToByteArray(), 0, 6).ToLowerInvariant());
        try
        {
            await DemoAsync(directory, engines, targets, (long)arrayMib << 20, ct).ConfigureAwait(false);
            Console.WriteLine("done.");
            return 0;
        }
        catch (DaosException e) when (e.Error == DaosError.DataLoss)
        {
            // A read that differs from what was acknowledged ends the demo at once, loudly, with a failing exit code.
            Console.WriteLine();
            Console.Error.WriteLine($"FAILED: {e.Message}");
            return 2;
        }
        finally
        {
            if (temporary && !keep)
            {
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                }

                Console.WriteLine($"removed {directory}");
            }
            else
            {
                Console.WriteLine($"engine files kept in {directory}");
            }
        }
    }

    private static async Task DemoAsync(string directory, int engines, int targets, long arrayBytes, CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        Step(Invariant($"baseline: the same {arrayBytes >> 20} MiB written to one file in {directory} (flushed to disk) and read back"));
        (double rawWrite, double rawRead) = await RawFileBaselineAsync(directory, arrayBytes, ct).ConfigureAwait(false);
        Console.WriteLine(Invariant($"    raw file write {rawWrite:N0} MiB/s, read {rawRead:N0} MiB/s"));
        Step($"starting {engines} engines x {targets} targets on files in {directory}");
        var options = new TestClusterOptions { Engines = engines, TargetsPerEngine = targets, Storage = TestClusterStorage.Files(directory) };
        await using TestCluster cluster = await TestCluster.StartAsync(options, ct).ConfigureAwait(false);
        await using DaosClient client = await cluster.ConnectClientAsync(ct: ct).ConfigureAwait(false);
        SystemInfo system = await client.Admin.QuerySystemAsync(ct).ConfigureAwait(false);
        foreach (RankInfo rank in system.Ranks)
        {
            Console.WriteLine(Invariant($"    rank {rank.Rank}: {rank.State}, {rank.Targets} targets at {rank.Address}"));
        }

        long perTargetBytes = Math.Max(64L << 20, arrayBytes * 2 / (engines * targets) + (32L << 20));
        Step(Invariant($"creating pool 'demo-pool' ({perTargetBytes >> 20} MiB data per target) and container 'demo-cont'"));
        PoolInfo created = await client.Admin.CreatePoolAsync("demo-pool", new PoolCreateOptions { ScmSizeBytes = 64L << 20, NvmeSizeBytes = perTargetBytes }, ct).ConfigureAwait(false);
        Console.WriteLine($"    pool {created.Uuid}, service replicas on ranks {string.Join(',', created.ServiceReplicas)}");
        ObjectId kvId, objectId, arrayId;
        Epoch snapshot;
        var figures = new List<string>();
        await using (DaosPool pool = await client.ConnectPoolAsync("demo-pool", ct: ct).ConfigureAwait(false))
        await using (DaosContainer container = await pool.CreateContainerAsync("demo-cont", null, ct).ConfigureAwait(false))
        {
            PoolInfo info = await pool.QueryAsync(ct).ConfigureAwait(false);
            Console.WriteLine(Invariant($"    {info.TargetsTotal} targets, map version {info.MapVersion}, data tier {info.Nvme.TotalBytes >> 20} MiB"));

            kvId = await container.AllocateObjectIdAsync(ObjectType.KeyValue, null, ct).ConfigureAwait(false);
            Step(Invariant($"key-value object {kvId} ({kvId.Class.Name}): {KvEntries} puts and gets, 64 in flight"));
            DaosKeyValue kv = container.OpenKeyValue(kvId);
            var clock = Stopwatch.StartNew();
            await ForEachAsync(KvEntries, 64, i => kv.PutAsync(Key(i), Value(i, 0), null, ct), ct).ConfigureAwait(false);
            double putRate = KvEntries / clock.Elapsed.TotalSeconds;
            clock.Restart();
            await ForEachAsync(KvEntries, 64, async i => Expect(await kv.GetAsync(Key(i), null, ct).ConfigureAwait(false), Value(i, 0), $"kv {Key(i)}"), ct).ConfigureAwait(false);
            double getRate = KvEntries / clock.Elapsed.TotalSeconds;
            var listedKeys = new HashSet<string>(StringComparer.Ordinal);
            await foreach (byte[] key in kv.ListKeysAsync(null, ct).ConfigureAwait(false))
            {
                listedKeys.Add(Encoding.UTF8.GetString(key));
            }

            int listed = listedKeys.Count;
            if (listed != KvEntries || !Enumerable.Range(0, KvEntries).All(i => listedKeys.Contains(Key(i))))
            {
                throw new DaosException(DaosError.DataLoss, Invariant($"kv listing returned {listed} distinct keys, expected exactly the {KvEntries} written"));
            }

            Console.WriteLine(Invariant($"    put {putRate:N0} ops/s, get {getRate:N0} ops/s, {listed} keys listed"));
            figures.Add(Invariant($"KV put {putRate:N0} ops/s, get {getRate:N0} ops/s"));

            objectId = await container.AllocateObjectIdAsync(ObjectType.MultiHashed, ObjectClass.S1, ct).ConfigureAwait(false);
            Step($"object {objectId}: three akeys under one dkey in one update, an array akey, listings");
            DaosObject obj = container.OpenObject(objectId);
            await obj.UpdateAsync("user:ada", [
                IoDescriptor.Single("name", Encoding.UTF8.GetBytes("Ada Lovelace")),
                IoDescriptor.Single("born", Encoding.UTF8.GetBytes("1815")),
                IoDescriptor.Array("notes", 0, Encoding.UTF8.GetBytes("Analytical Engine, note G")),
            ], null, ct).ConfigureAwait(false);
            IReadOnlyList<IoResult> fetched = await obj.FetchAsync("user:ada", [IoDescriptor.Single("name"), IoDescriptor.Single("born"), IoDescriptor.ArrayRange("notes", 19, 6)], null, ct).ConfigureAwait(false);
            Console.WriteLine($"    fetched name='{Text(fetched[0].Value)}' born='{Text(fetched[1].Value)}' notes[19..25]='{Text(fetched[2].Value)}'");
            Expect(fetched[0].Value, Encoding.UTF8.GetBytes("Ada Lovelace"), "object akey 'name'");
            Expect(fetched[1].Value, Encoding.UTF8.GetBytes("1815"), "object akey 'born'");
            Expect(fetched[2].Value, Encoding.UTF8.GetBytes("note G"), "object akey 'notes' records 19..25");
            var akeys = new List<string>();
            await foreach (byte[] akey in obj.ListAkeysAsync("user:ada", null, ct).ConfigureAwait(false))
            {
                akeys.Add(Encoding.UTF8.GetString(akey));
            }

            akeys.Sort(StringComparer.Ordinal);
            Console.WriteLine($"    akeys: {string.Join(", ", akeys)}");
            if (!akeys.SequenceEqual(["born", "name", "notes"]))
            {
                throw new DaosException(DaosError.DataLoss, $"object akey listing returned [{string.Join(", ", akeys)}], expected [born, name, notes]");
            }

            arrayId = await container.AllocateObjectIdAsync(ObjectType.ByteArray, null, ct).ConfigureAwait(false);
            Step(Invariant($"array {arrayId} ({arrayId.Class.Name}, 1 MiB chunks): writing {arrayBytes >> 20} MiB in {ArrayPieceBytes >> 20} MiB pieces"));
            DaosArray array = await container.CreateArrayAsync(arrayId, 1, 1 << 20, ct).ConfigureAwait(false);
            double writeRate = await WriteArrayAsync(array, arrayBytes, ct).ConfigureAwait(false);
            Step($"reading the array back and checking every byte");
            double readRate = await VerifyArrayAsync(array, arrayBytes, ReadOptions.Default, generation: 0, ct).ConfigureAwait(false);
            figures.Add(Invariant($"array write {writeRate:N0} MiB/s ({writeRate / rawWrite:P0} of the raw file), read {readRate:N0} MiB/s ({readRate / rawRead:P0} of the raw file)"));

            Step("snapshot, then overwrite the first 100 KV entries and the array's first 8 MiB");
            snapshot = await container.CreateSnapshotAsync("before-overwrite", ct).ConfigureAwait(false);
            await ForEachAsync(100, 32, i => kv.PutAsync(Key(i), Value(i, 1), null, ct), ct).ConfigureAwait(false);
            await array.WriteAsync(0, Pattern(0, ArrayPieceBytes, generation: 1), null, ct).ConfigureAwait(false);
            byte[]? latest = await kv.GetAsync(Key(7), null, ct).ConfigureAwait(false);
            byte[]? old = await kv.GetAsync(Key(7), new ReadOptions { Snapshot = snapshot }, ct).ConfigureAwait(false);
            Console.WriteLine($"    {Key(7)}: latest '{Text(latest)}', at snapshot {snapshot} '{Text(old)}'");
            Expect(latest, Value(7, 1), "latest read after the overwrite");
            Expect(old, Value(7, 0), "snapshot read");
            await ForEachAsync(100, 32, async i => Expect(await kv.GetAsync(Key(i), null, ct).ConfigureAwait(false), Value(i, 1), $"kv {Key(i)} after the overwrite"), ct).ConfigureAwait(false);
            byte[] head = new byte[16];
            await array.ReadAsync(0, head, new ReadOptions { Snapshot = snapshot }, ct).ConfigureAwait(false);
            Expect(head, Pattern(0, 16, 0), "array at the snapshot");
            await foreach (SnapshotInfo s in container.ListSnapshotsAsync(ct).ConfigureAwait(false))
            {
                Console.WriteLine($"    snapshot {s.Epoch} '{s.Name}' taken {s.Epoch.ToDateTimeOffset():O}");
            }
        }

        int victim = cluster.Ranks[^1];
        Step($"killing engine rank {victim} abruptly, then restarting it from its files");
        var restart = Stopwatch.StartNew();
        await cluster.KillEngineAsync(victim).ConfigureAwait(false);
        await cluster.RestartEngineAsync(victim, ct).ConfigureAwait(false);
        Console.WriteLine(Invariant($"    rank {victim} back in {restart.Elapsed.TotalMilliseconds:N0} ms"));

        Step("reconnecting and verifying every KV entry, the object and every byte of the array");
        await using (DaosPool pool = await client.ConnectPoolAsync("demo-pool", ct: ct).ConfigureAwait(false))
        await using (DaosContainer container = await pool.OpenContainerAsync("demo-cont", ContainerAccess.ReadOnly, ct).ConfigureAwait(false))
        {
            DaosKeyValue kv = container.OpenKeyValue(kvId);
            await ForEachAsync(KvEntries, 64, async i => Expect(await kv.GetAsync(Key(i), null, ct).ConfigureAwait(false), Value(i, i < 100 ? 1 : 0), $"kv {Key(i)}"), ct).ConfigureAwait(false);
            Expect(await container.OpenObject(objectId).GetAsync("user:ada", "name", null, ct).ConfigureAwait(false), Encoding.UTF8.GetBytes("Ada Lovelace"), "object");
            DaosArray array = await container.OpenArrayAsync(arrayId, ct).ConfigureAwait(false);
            long size = await array.GetSizeAsync(ct).ConfigureAwait(false);
            if (size != arrayBytes)
            {
                throw new DaosException(DaosError.DataLoss, $"array size after restart is {size}, expected {arrayBytes}");
            }

            byte[] head = new byte[ArrayPieceBytes];
            await array.ReadAsync(0, head, null, ct).ConfigureAwait(false);
            Expect(head, Pattern(0, ArrayPieceBytes, 1), "array head after restart");
            await VerifyArrayAsync(array, arrayBytes, new ReadOptions { Snapshot = snapshot }, generation: 0, ct).ConfigureAwait(false);
            Console.WriteLine($"    {KvEntries} KV entries, the object and {arrayBytes >> 20} MiB of array verified");
        }

        Step("destroying the pool and stopping the engines");
        await client.Admin.DestroyPoolAsync("demo-pool", force: true, ct).ConfigureAwait(false);
        foreach (string figure in figures)
        {
            Console.WriteLine($"    {figure}");
        }

        Console.WriteLine(Invariant($"    total {total.Elapsed.TotalSeconds:N1} s"));
    }

    /// <summary>The physical limit beside the array figures: one file, the same bytes, the same pieces, fsync'd at the end.</summary>
    private static async Task<(double Write, double Read)> RawFileBaselineAsync(string directory, long bytes, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "baseline.bin");
        try
        {
            var clock = Stopwatch.StartNew();
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous))
            {
                for (long offset = 0; offset < bytes; offset += ArrayPieceBytes)
                {
                    await file.WriteAsync(Pattern(offset, ArrayPieceBytes, 0), ct).ConfigureAwait(false);
                }

                file.Flush(flushToDisk: true);
            }

            double write = (bytes >> 20) / clock.Elapsed.TotalSeconds;
            clock.Restart();
            byte[] buffer = new byte[ArrayPieceBytes];
            await using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None, 1 << 20, FileOptions.Asynchronous))
            {
                for (long offset = 0; offset < bytes; offset += ArrayPieceBytes)
                {
                    await file.ReadExactlyAsync(buffer, ct).ConfigureAwait(false);
                    Expect(buffer, Pattern(offset, ArrayPieceBytes, 0), "baseline file");
                }
            }

            return (write, (bytes >> 20) / clock.Elapsed.TotalSeconds);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<double> WriteArrayAsync(DaosArray array, long bytes, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        for (long offset = 0; offset < bytes; offset += ArrayPieceBytes)
        {
            await array.WriteAsync(offset, Pattern(offset, ArrayPieceBytes, 0), null, ct).ConfigureAwait(false);
            Progress("written", offset + ArrayPieceBytes, bytes, clock.Elapsed);
        }

        Console.WriteLine();
        return (bytes >> 20) / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> VerifyArrayAsync(DaosArray array, long bytes, ReadOptions read, int generation, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        byte[] buffer = new byte[ArrayPieceBytes];
        for (long offset = 0; offset < bytes; offset += ArrayPieceBytes)
        {
            int got = await array.ReadAsync(offset, buffer, read, ct).ConfigureAwait(false);
            if (got != ArrayPieceBytes)
            {
                throw new DaosException(DaosError.DataLoss, Invariant($"short read of {got} bytes at {offset}"));
            }

            Expect(buffer, Pattern(offset, ArrayPieceBytes, generation), Invariant($"array bytes at {offset}"));
            Progress("verified", offset + ArrayPieceBytes, bytes, clock.Elapsed);
        }

        Console.WriteLine();
        return (bytes >> 20) / clock.Elapsed.TotalSeconds;
    }

    private static async Task ForEachAsync(int count, int inFlight, Func<int, ValueTask> body, CancellationToken ct)
    {
        int next = -1;
        var workers = new Task[inFlight];
        for (int w = 0; w < inFlight; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                {
                    ct.ThrowIfCancellationRequested();
                    await body(i).ConfigureAwait(false);
                }
            }, ct);
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    /// <summary>Bytes that depend on their absolute offset and a generation, so any misplaced byte is caught.</summary>
    private static byte[] Pattern(long offset, int length, int generation)
    {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i += 8)
        {
            ulong word = (ulong)(offset + i) * 0x9E3779B97F4A7C15UL ^ ((ulong)generation << 56);
            BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(i), word);
        }

        return data;
    }

    private static void Progress(string what, long done, long total, TimeSpan elapsed) =>
        Console.Write(Invariant($"\r    {what} {done >> 20,5} / {total >> 20} MiB  ({(done >> 20) / Math.Max(elapsed.TotalSeconds, 1e-3),6:N0} MiB/s)"));

    private static string Key(int i) => Invariant($"key-{i:D5}");

    private static byte[] Value(int i, int generation) => Encoding.UTF8.GetBytes(Invariant($"value {i} generation {generation}"));

    private static string Text(byte[]? value) => value is null ? "(none)" : Encoding.UTF8.GetString(value);

    /// <summary>Every byte read back is compared with what was acknowledged; a difference stops the demo with the bytes.</summary>
    private static void Expect(byte[]? actual, byte[] expected, string what)
    {
        if (actual is null)
        {
            throw new DaosException(DaosError.DataLoss, Invariant($"{what}: nothing read back, expected {expected.Length} bytes"));
        }

        if (!actual.AsSpan().SequenceEqual(expected))
        {
            int first = actual.AsSpan().CommonPrefixLength(expected);
            throw new DaosException(DaosError.DataLoss, Invariant(
                $"{what}: read back bytes differ from what was written (first difference at byte {first}; {actual.Length} bytes read, {expected.Length} written; read {Excerpt(actual, first)}, written {Excerpt(expected, first)})"));
        }
    }

    private static string Excerpt(byte[] bytes, int from)
    {
        int start = Math.Max(0, from - 8);
        int length = Math.Min(32, bytes.Length - start);
        return length <= 0 ? "(ends before it)" : Invariant($"[{start}..{start + length}) {Convert.ToHexString(bytes, start, length)}");
    }

    private static void Step(string text) => Console.WriteLine($"-> {text}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
