using System.Numerics;
using System.Runtime.CompilerServices;

namespace Daos.Placement.Layout;

/// <summary>
/// Bitmap helpers over <c>ulong[]</c> words: the bookkeeping of a layout computation (domains used, full, used by
/// the current group, targets used). Range checks go a word at a time and can treat a second "skipped" bitmap as
/// set, which is how components hidden from the current mode count as unavailable.
/// </summary>
internal static class Bits
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsSet(ulong[] bits, int index) => (bits[index >> 6] & (1UL << index)) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Set(ulong[] bits, int index) => bits[index >> 6] |= 1UL << index;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Clear(ulong[] bits, int index) => bits[index >> 6] &= ~(1UL << index);

    public static int WordsFor(int count) => (count + 63) >> 6;

    /// <summary>True when every index in [start, end] is set in <paramref name="a"/>, <paramref name="b"/> or <paramref name="skip"/>.</summary>
    public static bool AllSet(ulong[] a, ulong[]? b, ulong[]? skip, int start, int end)
    {
        if (start > end)
        {
            return true;
        }

        int firstWord = start >> 6, lastWord = end >> 6;
        for (int w = firstWord; w <= lastWord; w++)
        {
            ulong word = a[w];
            if (b != null)
            {
                word |= b[w];
            }

            if (skip != null)
            {
                word |= skip[w];
            }

            ulong mask = ulong.MaxValue;
            if (w == firstWord)
            {
                mask &= ulong.MaxValue << (start & 63);
            }

            if (w == lastWord)
            {
                mask &= ulong.MaxValue >> (63 - (end & 63));
            }

            if ((word & mask) != mask)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Number of set bits in the first <paramref name="count"/> indexes.</summary>
    public static int PopCount(ulong[] bits, int count)
    {
        int total = 0;
        for (int w = 0; w < WordsFor(count); w++)
        {
            total += BitOperations.PopCount(bits[w]);
        }

        return total;
    }
}
