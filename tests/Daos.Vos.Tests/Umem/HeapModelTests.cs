using Daos.Harness.Storage;
using Daos.Vos.Umem;
using FsCheck;
using FsCheck.Fluent;
using static Daos.Vos.Tests.Umem.HeapTestKit;

namespace Daos.Vos.Tests.Umem;

/// <summary>
/// FsCheck model tests: random programs of allocate / write / free / commit / abort / checkpoint / crash-and-reopen
/// run against the heap and against a naive model (a dictionary of live blocks and their bytes). After every step:
/// the heap holds exactly the model's bytes, no two live blocks overlap, used bytes are exactly the sum of the
/// live blocks' usable sizes, and a failed allocation changed nothing. A failure prints FsCheck's replay seed and
/// the shrunk program.
/// </summary>
public sealed class HeapModelTests
{
    private static readonly int[] s_sizes = [1, 8, 16, 17, 100, 500, 1024, 2048, 2049, 4096, 5000, 12000, 30000];

    [Fact]
    public void Random_programs_match_the_naive_model() =>
        Prop.ForAll(ArbMap.Default.ArbFor<int[]>(), program => Run(program, out _))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(300).WithEndSize(120));

    [Fact]
    public void A_long_program_matches_the_naive_model()
    {
        var random = new DeterministicRandom(42);
        int[] program = new int[3000];
        for (int i = 0; i < program.Length; i++)
        {
            program[i] = random.Next(int.MaxValue);
        }

        Assert.True(Run(program, out int failedAllocations), "seed 42");
        Assert.True(failedAllocations > 0, "the program never filled the heap");
    }

    private static bool Run(int[] program, out int failedAllocations)
    {
        failedAllocations = 0;
        SimulatedMedium medium = NewMedium();
        UmemOptions options = Options(heapBytes: 128 * 1024, walBytes: 64 * 1024);
        UmemHeap heap = UmemHeap.Create(medium, Name, options);
        var committed = new Dictionary<long, byte[]>();
        Dictionary<long, byte[]>? working = null;
        var freedInTx = new Dictionary<long, byte[]>();
        UmemTransaction tx = default;
        try
        {
            for (int step = 0; step < program.Length; step++)
            {
                int v = program[step] & int.MaxValue;
                int kind = v % 10;
                int argument = v / 10;
                if (kind <= 5 && working is null)
                {
                    tx = heap.Begin();
                    working = Clone(committed);
                    freedInTx.Clear();
                }

                switch (kind)
                {
                    case 0 or 1:
                    {
                        int size = s_sizes[argument % s_sizes.Length];
                        ulong before = ImageHash(heap);
                        HeapSpace space = heap.Space;
                        if (tx.TryAllocate(size, out long offset))
                        {
                            // The model tracks the first bytes of each block; the allocator hands out the rest unseen.
                            byte[] content = Bytes(Math.Min(size, 200), argument);
                            tx.Write(offset, content);
                            working![offset] = content;
                        }
                        else
                        {
                            failedAllocations++;
                            Assert.Equal(before, ImageHash(heap));
                            Assert.Equal(space, heap.Space);
                        }

                        break;
                    }

                    case 2 or 3 or 4:
                        if (working!.Count > 0)
                        {
                            long offset = Pick(working, argument);
                            byte[] content = working[offset];
                            int at = argument % content.Length;
                            int length = 1 + argument / 7 % (content.Length - at);
                            byte[] data = Bytes(length, argument + step);
                            try
                            {
                                tx.Write(offset + at, data);
                                data.CopyTo(content, at);
                            }
                            catch (DaosException e) when (e.Error == DaosError.NoSpace)
                            {
                                // The transaction's redo share is used up: the write did not happen (checked below).
                            }
                        }

                        break;
                    case 5:
                        if (working!.Count > 0)
                        {
                            long offset = Pick(working, argument);
                            tx.Free(offset);
                            freedInTx[offset] = working[offset];
                            working.Remove(offset);
                        }

                        break;
                    case 6:
                        if (working is not null)
                        {
                            Commit(tx);
                            committed = working;
                            working = null;
                        }

                        break;
                    case 7:
                        if (working is not null)
                        {
                            tx.Abort();
                            working = null;
                        }

                        break;
                    case 8:
                        if (working is not null)
                        {
                            Commit(tx);
                            committed = working;
                            working = null;
                        }

                        Checkpoint(heap);
                        break;
                    default:
                        heap.Dispose(); // aborts an open transaction
                        working = null;
                        medium.Crash((ulong)argument);
                        heap = UmemHeap.Open(medium, Name, options);
                        break;
                }

                Check(heap, working ?? committed, working is null ? null : freedInTx);
            }

            return true;
        }
        finally
        {
            heap.Dispose();
        }
    }

    private static void Check(UmemHeap heap, Dictionary<long, byte[]> live, Dictionary<long, byte[]>? freedInTx)
    {
        var blocks = new List<(long Offset, int Usable)>();
        long used = 0;
        foreach ((long offset, byte[] content) in live)
        {
            Assert.True(heap.Read(offset, content.Length).SequenceEqual(content), $"block {offset} differs from the model");
            blocks.Add((offset, heap.Allocator.UsableSize(offset)));
        }

        if (freedInTx is not null)
        {
            foreach (long offset in freedInTx.Keys)
            {
                // Freed in the open transaction: still allocated until it commits.
                blocks.Add((offset, heap.Allocator.UsableSize(offset)));
            }
        }

        blocks.Sort();
        for (int i = 0; i < blocks.Count; i++)
        {
            used += blocks[i].Usable;
            if (i > 0)
            {
                Assert.True(blocks[i - 1].Offset + blocks[i - 1].Usable <= blocks[i].Offset,
                    $"blocks at {blocks[i - 1].Offset} (+{blocks[i - 1].Usable}) and {blocks[i].Offset} overlap");
            }
        }

        Assert.Equal(used, heap.Space.UsedBytes);
    }

    private static long Pick(Dictionary<long, byte[]> live, int argument)
    {
        var keys = new List<long>(live.Keys);
        keys.Sort();
        return keys[argument % keys.Count];
    }

    private static Dictionary<long, byte[]> Clone(Dictionary<long, byte[]> source)
    {
        var copy = new Dictionary<long, byte[]>(source.Count);
        foreach ((long offset, byte[] content) in source)
        {
            copy[offset] = (byte[])content.Clone();
        }

        return copy;
    }
}
