using System.Globalization;
using Daos;
using Daos.Storage;
using Daos.Vos.Umem;

namespace Daos.Vos.CrashChild;

/// <summary>
/// Opens (or creates) a heap in the directory given as the first argument and commits transactions forever:
/// transaction i allocates a block holding i's pattern, writes i into slot i % SlotCount of the root area and
/// frees the block the slot pointed at before, then sets the root counter to i. After each commit completes it
/// prints "committed i". The parent kills it with SIGKILL at a moment of its choosing.
/// </summary>
internal static class Program
{
    public const int SlotCount = 64;
    public const int BlockBytes = 200;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 1 && args[1] == "vos")
        {
            return await VosWorkload.RunAsync(args[0]);
        }

        var medium = FileMedium.Open(args[0]);
        var options = new UmemOptions
        {
            HeapSizeBytes = 4 << 20,
            WalSizeBytes = 256 * 1024,
            TimeProvider = TimeProvider.System,
            HeapId = 0x5EED,
        };
        using UmemHeap heap = medium.FileExists(UmemHeap.HeapFileName("target"))
            ? UmemHeap.Open(medium, "target", options)
            : UmemHeap.Create(medium, "target", options);
        long i = heap.Read<long>(UmemHeap.RootOffset);
        Console.Out.WriteLine("ready " + i.ToString(CultureInfo.InvariantCulture));
        Console.Out.Flush();
        while (true)
        {
            i++;
            using (UmemTransaction tx = heap.Begin())
            {
                long slot = UmemHeap.RootOffset + 8 + i % SlotCount * 16;
                long previous = heap.Read<long>(slot + 8);
                long block = tx.Allocate(BlockBytes);
                tx.Set(block, (byte)i, BlockBytes);
                tx.Write(block, i);
                tx.Write(slot, i);
                tx.Write(slot + 8, block);
                if (previous != 0)
                {
                    tx.Free(previous);
                }

                tx.Write(UmemHeap.RootOffset, i);
                await tx.CommitAsync();
            }

            Console.Out.WriteLine("committed " + i.ToString(CultureInfo.InvariantCulture));
            Console.Out.Flush();
        }
    }
}
