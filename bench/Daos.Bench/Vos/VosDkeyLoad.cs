using System.Diagnostics;
using System.Globalization;
using Daos.Vos;

namespace Daos.Bench.Vos;

/// <summary>
/// <c>dotnet run -c Release --project bench/Daos.Bench -- vos-dkey-load [dkeys] [rounds]</c>: what the first touch
/// of one dkey costs in a very large object. A pool on real files holds one hashed object of <c>dkeys</c> dkeys
/// (default 100,000; one 64-byte single value each) and a one-dkey object beside it. Each round reopens the pool
/// (nothing cached) and times, in turn: the first fetch of one dkey of the big object; the first fetch of the small
/// object (the baseline: a fresh object with nothing else to read); a second fetch of another dkey of the big object;
/// a page of 100 dkeys resumed from an anchor in the middle of the big object, cold; and a full dkey listing of the
/// big object, cold and then warm (dkeys per second). Reports medians over the rounds. Uses only the public API,
/// so the same file measures any format version of the store.
/// </summary>
internal static class VosDkeyLoad
{
    private static readonly ObjectId Big = ObjectId.Create(ObjectType.MultiHashed, ObjectClass.S1, 1);
    private static readonly ObjectId Small = ObjectId.Create(ObjectType.MultiHashed, ObjectClass.S1, 2);
    private static readonly Guid ContainerId = Guid.Parse("00000000-0000-4000-8000-0000000000d1");
    private static readonly byte[] Akey = "a"u8.ToArray();
    private static readonly Epoch ReadEpoch = new(2);

    public static void Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    private static byte[] Dkey(int i)
    {
        byte[] key = new byte[16];
        BitConverter.TryWriteBytes(key, (ulong)i * 0x9E3779B97F4A7C15);
        BitConverter.TryWriteBytes(key.AsSpan(8), (ulong)i);
        return key;
    }

    private static async Task RunAsync(string[] args)
    {
        int dkeys = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7;
        string directory = BenchDirectory.Create("vos-dkey-load");
        try
        {
            var options = new VosPoolOptions { HeapSizeBytes = 1L << 30, WalSizeBytes = 256L << 20, BlobSizeBytes = 1L << 20 };
            var build = Stopwatch.StartNew();
            await using (VosPool pool = await VosPool.CreateAsync(directory, options))
            {
                VosContainer c = await pool.CreateContainerAsync(ContainerId);
                byte[] value = new byte[64];
                for (int i = 0; i < dkeys; i++)
                {
                    // Two epochs, because format 2 counted minor epochs per object and overflowed at 65,534 changes
                    // of one object at one epoch.
                    await c.UpdateAsync(Big, new Epoch(1 + (ulong)(i % 2)), Dkey(i), Akey, value);
                }

                await c.UpdateAsync(Small, new Epoch(1), Dkey(0), Akey, value);
                await pool.CheckpointAsync();
            }

            Console.WriteLine($"built a {dkeys}-dkey object in {build.Elapsed.TotalSeconds:F1} s ({dkeys / build.Elapsed.TotalSeconds:F0} durable updates/s)");
            var firstBig = new List<double>();
            var firstSmall = new List<double>();
            var secondBig = new List<double>();
            var pageCold = new List<double>();
            var listCold = new List<double>();
            var listWarm = new List<double>();
            var open = new List<double>();
            for (int round = 0; round < rounds; round++)
            {
                var t = Stopwatch.StartNew();
                await using VosPool pool = await VosPool.OpenAsync(directory, options);
                VosContainer c = await pool.OpenContainerAsync(ContainerId);
                open.Add(t.Elapsed.TotalMilliseconds);

                t.Restart();
                Check(await c.FetchAsync(Big, ReadEpoch, Dkey(dkeys / 3 + round), Akey));
                firstBig.Add(t.Elapsed.TotalMilliseconds);

                t.Restart();
                Check(await c.FetchAsync(Small, ReadEpoch, Dkey(0), Akey));
                firstSmall.Add(t.Elapsed.TotalMilliseconds);

                t.Restart();
                Check(await c.FetchAsync(Big, ReadEpoch, Dkey(dkeys / 2 + round), Akey));
                secondBig.Add(t.Elapsed.TotalMilliseconds);

                // A cold page needs a cold object: reopen, then resume after a dkey in the middle.
                await pool.DisposeAsync();
                await using VosPool again = await VosPool.OpenAsync(directory, options);
                c = await again.OpenContainerAsync(ContainerId);
                VosAnchor anchor = VosAnchor.FromBytes(AnchorAfter(Dkey(dkeys / 2)));
                t.Restart();
                VosPage<byte[]> page = await c.ListDkeysAsync(Big, ReadEpoch, anchor, 100);
                pageCold.Add(t.Elapsed.TotalMilliseconds);
                if (page.Items.Count != 100)
                {
                    throw new InvalidOperationException($"a page held {page.Items.Count} dkeys");
                }

                await again.DisposeAsync();
                await using VosPool third = await VosPool.OpenAsync(directory, options);
                c = await third.OpenContainerAsync(ContainerId);
                t.Restart();
                int listed = await CountAsync(c.ListDkeysAsync(Big, ReadEpoch));
                listCold.Add(listed / t.Elapsed.TotalSeconds);
                t.Restart();
                listed += await CountAsync(c.ListDkeysAsync(Big, ReadEpoch));
                listWarm.Add(listed / 2 / t.Elapsed.TotalSeconds);
                if (listed != 2 * dkeys)
                {
                    throw new InvalidOperationException($"listed {listed / 2} of {dkeys} dkeys");
                }
            }

            Console.WriteLine($"dkeys {dkeys}, rounds {rounds} (medians)");
            Console.WriteLine($"  open pool + container         {Median(open),10:F3} ms");
            Console.WriteLine($"  first fetch, big object       {Median(firstBig),10:F3} ms");
            Console.WriteLine($"  first fetch, 1-dkey object    {Median(firstSmall),10:F3} ms   (baseline)");
            Console.WriteLine($"  second fetch, big object      {Median(secondBig),10:F3} ms");
            Console.WriteLine($"  cold page of 100 after anchor {Median(pageCold),10:F3} ms");
            Console.WriteLine($"  list all dkeys, cold          {Median(listCold),10:F0} dkeys/s");
            Console.WriteLine($"  list all dkeys, warm          {Median(listWarm),10:F0} dkeys/s");
            Console.WriteLine($"  ratio first fetch big / 1-dkey baseline: {Median(firstBig) / Median(firstSmall):F1}");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The bytes of an "after this dkey" anchor (docs/formats/vos.md), built here so any format version reads it.</summary>
    private static byte[] AnchorAfter(byte[] dkey)
    {
        byte[] anchor = new byte[8 + dkey.Length + 4];
        anchor[0] = 0x41;
        anchor[1] = 0x4E;
        anchor[2] = 1;
        anchor[3] = 2;
        anchor[4] = 1;
        BitConverter.TryWriteBytes(anchor.AsSpan(6), (ushort)dkey.Length);
        dkey.CopyTo(anchor, 8);
        BitConverter.TryWriteBytes(anchor.AsSpan(8 + dkey.Length), Crc32C.Compute(anchor.AsSpan(0, 8 + dkey.Length)));
        return anchor;
    }

    private static void Check(byte[]? value)
    {
        if (value is not { Length: 64 })
        {
            throw new InvalidOperationException("a fetch missed its value");
        }
    }

    private static async Task<int> CountAsync(IAsyncEnumerable<byte[]> items)
    {
        int n = 0;
        await foreach (byte[] _ in items)
        {
            n++;
        }

        return n;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }
}
