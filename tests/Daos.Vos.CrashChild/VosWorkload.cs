using System.Globalization;
using Daos;

namespace Daos.Vos.CrashChild;

/// <summary>
/// The VOS workload (second argument "vos"): opens or creates a pool in the directory and, for i = 1, 2, ..., writes
/// at epoch i the value of i (alternately 50 bytes inline and 5,000 bytes in the blob store) to dkey i % 64 and i to
/// the counter, aggregating every 100 writes; prints "committed i" after each counter update completes.
/// </summary>
internal static class VosWorkload
{
    public static readonly ObjectId Object = ObjectId.Create(ObjectType.MultiLexical, ObjectClass.S1, 7);
    public static readonly Guid Container = Guid.Parse("c0ffee00-0000-4000-8000-00000000dead");

    public static VosPoolOptions Options => new() { HeapSizeBytes = 8L << 20, WalSizeBytes = 1L << 20, BlobSizeBytes = 64L << 20 };

    public static byte[] Value(long i)
    {
        byte[] value = new byte[i % 2 == 0 ? 5000 : 50];
        value.AsSpan().Fill((byte)i);
        BitConverter.TryWriteBytes(value, i);
        return value;
    }

    public static byte[] Key(long slot) => System.Text.Encoding.UTF8.GetBytes("k" + slot.ToString(CultureInfo.InvariantCulture));

    public static async Task<int> RunAsync(string directory)
    {
        bool exists = File.Exists(Path.Combine(directory, "vos.heap"));
        await using VosPool pool = exists ? await VosPool.OpenAsync(directory, Options) : await VosPool.CreateAsync(directory, Options);
        VosContainer c = exists ? await pool.OpenContainerAsync(Container) : await pool.CreateContainerAsync(Container);
        byte[]? counter = await c.FetchAsync(Object, new Epoch(ulong.MaxValue - 1), "counter"u8.ToArray(), "n"u8.ToArray());
        long i = counter is null ? 0 : BitConverter.ToInt64(counter);
        Console.Out.WriteLine("ready " + i.ToString(CultureInfo.InvariantCulture));
        Console.Out.Flush();
        while (true)
        {
            i++;
            await c.UpdateAsync(Object, new Epoch((ulong)i), Key(i % 64), "v"u8.ToArray(), Value(i));
            await c.UpdateAsync(Object, new Epoch((ulong)i), "counter"u8.ToArray(), "n"u8.ToArray(), BitConverter.GetBytes(i));
            if (i % 100 == 0)
            {
                await c.AggregateAsync(new Epoch((ulong)i));
            }

            Console.Out.WriteLine("committed " + i.ToString(CultureInfo.InvariantCulture));
            Console.Out.Flush();
        }
    }
}
