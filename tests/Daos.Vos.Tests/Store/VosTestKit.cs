using System.Text;
using Daos.Harness.Storage;

namespace Daos.Vos.Tests.Store;

/// <summary>Small pools on a simulated medium and helpers shared by the VOS tests.</summary>
internal static class VosTestKit
{
    public static readonly ObjectId Hashed = ObjectId.Create(ObjectType.MultiHashed, ObjectClass.S1, 1);
    public static readonly ObjectId Lexical = ObjectId.Create(ObjectType.MultiLexical, ObjectClass.S1, 2);
    public static readonly ObjectId UInt64Keys = ObjectId.Create(ObjectType.MultiUInt64, ObjectClass.S1, 3);

    public static VosPoolOptions Options(int inlineThresholdBytes = 64, long heapBytes = 8L << 20, long blobBytes = 8L << 20) => new()
    {
        HeapSizeBytes = heapBytes,
        WalSizeBytes = 1L << 20,
        BlobSizeBytes = blobBytes,
        InlineThresholdBytes = inlineThresholdBytes,
    };

    public static async Task<(SimulatedMedium Medium, VosPool Pool, VosContainer Container)> NewAsync(VosPoolOptions? options = null)
    {
        var medium = new SimulatedMedium("vos");
        VosPool pool = await VosPool.CreateAsync(medium, options ?? Options());
        VosContainer container = await pool.CreateContainerAsync(ContainerId);
        return (medium, pool, container);
    }

    public static readonly Guid ContainerId = new("0b7e9a2c-5d1f-4c3e-9a8b-112233445566");

    public static ReadOnlyMemory<byte> K(string text) => Encoding.UTF8.GetBytes(text);

    public static ReadOnlyMemory<byte> K(ulong value) => BitConverter.GetBytes(value);

    public static Epoch E(ulong value) => new(value);

    public static byte[] Bytes(int length, int seed)
    {
        byte[] data = new byte[length];
        new DeterministicRandom((ulong)seed + 1).NextBytes(data);
        return data;
    }

    public static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (T item in items)
        {
            list.Add(item);
        }

        return list;
    }

    public static async Task<DaosException> ThrowsDaos(DaosError error, Func<Task> action)
    {
        DaosException e = await Assert.ThrowsAsync<DaosException>(action);
        Assert.Equal(error, e.Error);
        return e;
    }
}
