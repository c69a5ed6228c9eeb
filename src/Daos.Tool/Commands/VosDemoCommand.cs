using System.CommandLine;
using System.Globalization;
using System.Text;
using Daos.Vos;

namespace Daos.Tool.Commands;

/// <summary>
/// <c>vos-demo [--dir PATH] [--keep]</c>: creates an embedded VOS pool in a directory and walks through versioned
/// single values, arrays, snapshot reads, punches, aggregation and space, printing each step.
/// </summary>
internal static class VosDemoCommand
{
    public static Command Create()
    {
        var dir = new Option<string?>("--dir") { Description = "Pool directory (must not hold a pool; kept afterwards). Default: a fresh temporary directory" };
        var keep = new Option<bool>("--keep") { Description = "Keep the temporary pool directory afterwards" };
        var command = new Command("vos-demo", "Walk through the embedded versioned object store: epochs, snapshots, punches, aggregation") { dir, keep };
        command.SetAction((result, ct) => RunAsync(result.GetValue(dir), result.GetValue(keep)));
        return command;
    }

    private static async Task<int> RunAsync(string? directory, bool keep)
    {
        bool temporary = directory is null;
        directory ??= Path.Combine(Path.GetTempPath(), "daos-vos-demo-" + Convert.ToHexString(Guid.NewGuid().ToByteArray(), 0, 6).ToLowerInvariant());
        try
        {
            await DemoAsync(directory).ConfigureAwait(false);
            Console.WriteLine("done.");
            return 0;
        }
        finally
        {
            if (temporary && !keep)
            {
                Directory.Delete(directory, recursive: true);
                Console.WriteLine($"removed {directory}");
            }
            else
            {
                Console.WriteLine($"pool kept in {directory}");
            }
        }
    }

    private static async Task DemoAsync(string directory)
    {
        var options = new VosPoolOptions { HeapSizeBytes = 16L << 20, WalSizeBytes = 8L << 20, BlobSizeBytes = 32L << 20 };
        Step($"creating a pool in {directory} (heap {options.HeapSizeBytes >> 20} MiB, blob {options.BlobSizeBytes >> 20} MiB)");
        VosPool pool = await VosPool.CreateAsync(directory, options).ConfigureAwait(false);
        var containerId = Guid.Parse("6d9f5a1e-3c2b-4e8f-9a7d-0123456789ab");
        VosContainer container = await pool.CreateContainerAsync(containerId).ConfigureAwait(false);
        ObjectId kv = ObjectId.Create(ObjectType.MultiLexical, ObjectClass.S1, 1);
        ObjectId array = ObjectId.Create(ObjectType.Array, ObjectClass.S1, 2);
        ReadOnlyMemory<byte> user = Bytes("user:42"), name = Bytes("name"), chunk = BitConverter.GetBytes(0UL), data = Bytes("data");
        PrintSpace("empty pool", pool.QuerySpace());

        Step("single values: 'name' written at epochs 10, 20 and 30");
        await container.UpdateAsync(kv, new Epoch(10), user, name, Bytes("Ada")).ConfigureAwait(false);
        await container.UpdateAsync(kv, new Epoch(20), user, name, Bytes("Ada Lovelace")).ConfigureAwait(false);
        await container.UpdateAsync(kv, new Epoch(30), user, name, Bytes("Countess of Lovelace")).ConfigureAwait(false);
        foreach (ulong e in new ulong[] { 5, 10, 25, 30 })
        {
            byte[]? value = await container.FetchAsync(kv, new Epoch(e), user, name).ConfigureAwait(false);
            Console.WriteLine(Invariant($"    fetch at epoch {e,3}: {(value is null ? "(none)" : "'" + Encoding.UTF8.GetString(value) + "'")}"));
        }

        Step("arrays: 1000 records of 8 bytes at epoch 10, records 100..199 rewritten at epoch 20, 5000 more at epoch 25 (blob store)");
        await container.WriteAsync(array, new Epoch(10), chunk, data, 0, 8, Pattern(1000 * 8, 0x11)).ConfigureAwait(false);
        await container.WriteAsync(array, new Epoch(20), chunk, data, 100, 8, Pattern(100 * 8, 0x22)).ConfigureAwait(false);
        await container.WriteAsync(array, new Epoch(25), chunk, data, 2000, 8, Pattern(5000 * 8, 0x33)).ConfigureAwait(false);
        foreach (ulong e in new ulong[] { 10, 20, 25 })
        {
            byte[] buffer = new byte[8 * 8];
            ArrayReadResult r = await container.ReadAsync(array, new Epoch(e), chunk, data, 96, 8, buffer).ConfigureAwait(false);
            Console.WriteLine(Invariant($"    read records 96..103 at epoch {e}: first bytes {Convert.ToHexString(buffer, 0, 1)} .. {Convert.ToHexString(buffer, 32, 1)}, length {r.Length}"));
            Console.WriteLine(Invariant($"    extents at epoch {e}: {string.Join(' ', await Collect(container.ListExtentsAsync(array, new Epoch(e), chunk, data)).ConfigureAwait(false))}"));
        }

        byte[] gap = new byte[8 * 2000];
        ArrayReadResult holes = await container.ReadAsync(array, new Epoch(25), chunk, data, 0, 8, gap).ConfigureAwait(false);
        Console.WriteLine(Invariant($"    read records 0..1999 at epoch 25: length {holes.Length} bytes, holes {string.Join(' ', holes.Holes)} (trailing holes trimmed)"));
        Console.WriteLine(Invariant($"    max index at epoch 25: {await container.QueryMaxIndexAsync(array, new Epoch(25), chunk, data).ConfigureAwait(false)}"));

        Step("punches: records 0..49 punched at epoch 40, dkey user:42 punched at epoch 50");
        await container.PunchExtentsAsync(array, new Epoch(40), chunk, data, new Extent(0, 50)).ConfigureAwait(false);
        await container.PunchDkeyAsync(kv, new Epoch(50), user).ConfigureAwait(false);
        byte[]? afterPunch = await container.FetchAsync(kv, new Epoch(50), user, name).ConfigureAwait(false);
        byte[]? snapshot = await container.FetchAsync(kv, new Epoch(45), user, name).ConfigureAwait(false);
        Console.WriteLine(Invariant($"    fetch at epoch 50: {(afterPunch is null ? "(none)" : "present")}; snapshot read at epoch 45: '{Encoding.UTF8.GetString(snapshot!)}'"));
        Console.WriteLine(Invariant($"    extents at epoch 40: {string.Join(' ', await Collect(container.ListExtentsAsync(array, new Epoch(40), chunk, data)).ConfigureAwait(false))}"));
        Console.WriteLine(Invariant($"    objects at epoch 45: {string.Join(' ', await Collect(container.ListObjectsAsync(new Epoch(45))).ConfigureAwait(false))}; at epoch 50: {string.Join(' ', await Collect(container.ListObjectsAsync(new Epoch(50))).ConfigureAwait(false))}"));

        Step("100 more versions of one value, then space");
        for (ulong e = 100; e < 200; e++)
        {
            await container.UpdateAsync(kv, new Epoch(e), Bytes("counter"), Bytes("n"), Bytes(e.ToString(CultureInfo.InvariantCulture))).ConfigureAwait(false);
        }

        VosSpace before = pool.QuerySpace();
        PrintSpace("before aggregation", before);
        Step("aggregating up to epoch 199: history no read at or above 199 can see is merged away (reads below 199 are no longer defined)");
        await container.AggregateAsync(new Epoch(199)).ConfigureAwait(false);
        VosSpace after = pool.QuerySpace();
        PrintSpace("after aggregation", after);
        Console.WriteLine(Invariant($"    heap bytes freed: {before.HeapUsedBytes - after.HeapUsedBytes}, blob bytes freed: {before.BlobUsedBytes - after.BlobUsedBytes}"));
        byte[]? counter = await container.FetchAsync(kv, new Epoch(199), Bytes("counter"), Bytes("n")).ConfigureAwait(false);
        Console.WriteLine(Invariant($"    fetch counter at epoch 199: '{Encoding.UTF8.GetString(counter!)}'"));

        Step("closing and reopening the pool (recovery from the write-ahead log)");
        await pool.DisposeAsync().ConfigureAwait(false);
        pool = await VosPool.OpenAsync(directory).ConfigureAwait(false);
        container = await pool.OpenContainerAsync(containerId).ConfigureAwait(false);
        byte[]? reopened = await container.FetchAsync(kv, new Epoch(250), Bytes("counter"), Bytes("n")).ConfigureAwait(false);
        Console.WriteLine(Invariant($"    fetch counter at epoch 250 after reopen: '{Encoding.UTF8.GetString(reopened!)}'"));
        Console.WriteLine(Invariant($"    extents at epoch 250 after reopen: {string.Join(' ', await Collect(container.ListExtentsAsync(array, new Epoch(250), chunk, data)).ConfigureAwait(false))}"));
        PrintSpace("after reopen", pool.QuerySpace());
        await pool.DisposeAsync().ConfigureAwait(false);
    }

    private static void Step(string text) => Console.WriteLine("* " + text);

    private static void PrintSpace(string when, VosSpace s) => Console.WriteLine(Invariant(
        $"    space {when}: heap {s.HeapUsedBytes:N0} of {s.HeapTotalBytes:N0} bytes used, blob {s.BlobUsedBytes:N0} of {s.BlobTotalBytes:N0}"));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] Pattern(int length, byte value)
    {
        byte[] bytes = new byte[length];
        bytes.AsSpan().Fill(value);
        return bytes;
    }

    private static async Task<List<T>> Collect<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (T item in items.ConfigureAwait(false))
        {
            list.Add(item);
        }

        return list;
    }
}
