using Daos.Client.Arrays;
using FsCheck;
using FsCheck.Fluent;

namespace Daos.Client.Tests.Arrays;

public sealed class ArrayChunkMapTests
{
    [Fact]
    public void Ten_records_in_chunks_of_three_land_on_dkeys_one_to_four_as_in_the_DAOS_array_readme()
    {
        List<ArrayPiece> pieces = ArrayChunkMap.Split(0, 10, 3, long.MaxValue);

        Assert.Equal(
            [new ArrayPiece(1, 0, 3, 0), new ArrayPiece(2, 0, 3, 3), new ArrayPiece(3, 0, 3, 6), new ArrayPiece(4, 0, 1, 9)],
            pieces);
    }

    [Fact]
    public void Dkeys_are_little_endian_uint64_and_dkey_zero_holds_the_metadata()
    {
        Assert.Equal(new byte[] { 0x2a, 0, 0, 0, 0, 0, 0, 0 }, ArrayChunkMap.EncodeDkey(42));
        Assert.Equal(new byte[8], ArrayChunkMap.MetadataDkey.ToArray());
        Assert.Equal("0"u8.ToArray(), ArrayChunkMap.Akey.ToArray());
        Assert.False(ArrayChunkMap.TryDecodeDkey("abc"u8, out _));
    }

    [Fact]
    public void Split_covers_the_range_in_order_within_single_chunks_and_inverts_through_RecordIndexOf()
    {
        Gen<(int, int, int, int)> cases = Gen.Choose(0, 1_000_000).SelectMany(index => Gen.Choose(1, 5000).SelectMany(count =>
            Gen.Choose(1, 700).SelectMany(chunk => Gen.Choose(1, 900).Select(perPiece => (index, count, chunk, perPiece)))));
        Prop.ForAll(
            cases.ToArbitrary(),
            ((int Index, int Count, int Chunk, int PerPiece) c) =>
            {
                (int index, int count, int chunk, int perPiece) = c;
                List<ArrayPiece> pieces = ArrayChunkMap.Split(index, count, chunk, perPiece);
                long expectedOffset = 0;
                foreach (ArrayPiece piece in pieces)
                {
                    long first = index + piece.RecordOffset;
                    if (piece.RecordOffset != expectedOffset
                        || piece.Count <= 0 || piece.Count > perPiece
                        || piece.Dkey != (ulong)(first / chunk) + 1
                        || piece.IndexInChunk + piece.Count > chunk
                        || ArrayChunkMap.RecordIndexOf(piece.Dkey, piece.IndexInChunk, chunk) != first)
                    {
                        return false;
                    }

                    expectedOffset += piece.Count;
                }

                return expectedOffset == count;
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Metadata_round_trips_and_anything_else_is_refused_as_not_an_array()
    {
        var oid = new ObjectId(0x0b00000000000000, 7);
        byte[] metadata = ArrayChunkMap.EncodeMetadata(4, 1 << 20);
        Assert.Equal((4, 1L << 20), ArrayChunkMap.DecodeMetadata(metadata, oid));

        Prop.ForAll(Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)).ToArbitrary(), bytes =>
        {
            try
            {
                ArrayChunkMap.DecodeMetadata(bytes, oid);
                return bytes.Length == ArrayChunkMap.MetadataSizeBytes && BitConverter.ToUInt64(bytes) == ArrayChunkMap.MetadataMagic;
            }
            catch (DaosException e)
            {
                return e.Error == DaosError.NoPermission;
            }
        }).QuickCheckThrowOnFailure();

        byte[] zeroCell = ArrayChunkMap.EncodeMetadata(1, 1);
        zeroCell[8] = 0;
        Assert.Equal(DaosError.NoPermission, Assert.Throws<DaosException>(() => ArrayChunkMap.DecodeMetadata(zeroCell, oid)).Error);
    }
}
