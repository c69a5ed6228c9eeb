using Daos.Client.Tests.Model;
using FsCheck;
using FsCheck.Fluent;

namespace Daos.Client.Tests.Arrays;

/// <summary>DaosArray and its Stream over the naive object model, compared with a plain byte buffer.</summary>
public sealed class DaosArrayModelTests
{
    private static readonly ObjectId ByteArrayId = ObjectId.Create(ObjectType.ByteArray, ObjectClass.S1, 1);

    [Fact]
    public async Task Create_then_open_reads_back_cell_and_chunk_sizes_and_a_second_create_is_refused()
    {
        var path = new ModelObjectDataPath();
        await DaosArray.CreateAsync(path, ByteArrayId, 1, 1024, default);

        DaosArray opened = await DaosArray.OpenAsync(path, ByteArrayId, default);

        Assert.Equal((1, 1024L), (opened.CellSize, opened.ChunkSize));
        var again = await Assert.ThrowsAsync<DaosException>(() => DaosArray.CreateAsync(path, ByteArrayId, 1, 1024, default).AsTask());
        Assert.Equal(DaosError.Exists, again.Error);
        var missing = await Assert.ThrowsAsync<DaosException>(() => DaosArray.OpenAsync(path, ObjectId.Create(ObjectType.Array, ObjectClass.S1, 2), default).AsTask());
        Assert.Equal(DaosError.NonExistent, missing.Error);
        var notArray = await Assert.ThrowsAsync<DaosException>(() => DaosArray.OpenAsync(path, ObjectId.Create(ObjectType.KeyValue, ObjectClass.S1, 3), default).AsTask());
        Assert.Equal(DaosError.InvalidArgument, notArray.Error);
    }

    [Fact]
    public async Task Cells_larger_than_one_byte_need_whole_cells()
    {
        var path = new ModelObjectDataPath();
        DaosArray array = await DaosArray.CreateAsync(path, ByteArrayId, 8, 16, default);

        await array.WriteAsync(8 * 30, new byte[8 * 5]);
        Assert.Equal(8 * 35, await array.GetSizeAsync());
        Assert.Equal(DaosError.InvalidArgument, (await Assert.ThrowsAsync<DaosException>(() => array.WriteAsync(3, new byte[8]).AsTask())).Error);
        Assert.Equal(DaosError.InvalidArgument, (await Assert.ThrowsAsync<DaosException>(() => array.ReadAsync(0, new byte[5]).AsTask())).Error);
        Assert.Equal(DaosError.InvalidArgument, Assert.Throws<DaosException>(() => array.AsStream()).Error);
    }

    [Fact]
    public void Random_writes_truncations_and_reads_match_a_byte_buffer()
    {
        Gen<(int Kind, int Offset, int Length)> op = Gen.Choose(0, 9).SelectMany(kind => Gen.Choose(0, 300).SelectMany(offset =>
            Gen.Choose(0, 120).Select(length => (kind, offset, length))));
        Prop.ForAll(
            Gen.Choose(1, 40).ToArbitrary(),
            Gen.Choose(1, 64).ToArbitrary(),
            Gen.ListOf(op).ToArbitrary(),
            (int chunk, int perRequest, List<(int Kind, int Offset, int Length)> ops) => RunAgainstBuffer(chunk, perRequest, ops)).Check(Config.QuickThrowOnFailure.WithMaxTest(40));
    }

    [Fact]
    public void The_stream_behaves_as_a_MemoryStream_under_random_seeks_reads_writes_and_SetLength()
    {
        Gen<(int Kind, int Value, int Length)> op = Gen.Choose(0, 5).SelectMany(kind => Gen.Choose(0, 200).SelectMany(value =>
            Gen.Choose(0, 90).Select(length => (kind, value, length))));
        Prop.ForAll(Gen.Choose(1, 33).ToArbitrary(), Gen.ListOf(op).ToArbitrary(), (int chunk, List<(int Kind, int Value, int Length)> ops) =>
        {
            var path = new ModelObjectDataPath(new DaosClientOptions { ManagementEndpoints = ["inproc://model"], IoRequestBytesMax = 16 });
            DaosArray array = DaosArray.CreateAsync(path, ByteArrayId, 1, chunk, default).AsTask().GetAwaiter().GetResult();
            using Stream stream = array.AsStream();
            using var expected = new MemoryStream();
            byte fill = 1;
            foreach ((int kind, int value, int length) in ops)
            {
                switch (kind)
                {
                    case 0:
                        // MemoryStream grows even on an empty write past its end; an array write of nothing writes nothing.
                        byte[] data = Enumerable.Repeat(fill++, length + 1).ToArray();
                        stream.Write(data);
                        expected.Write(data);
                        break;
                    case 1:
                        byte[] actualRead = new byte[length], expectedRead = new byte[length];
                        int a = stream.Read(actualRead), e = expected.Read(expectedRead);
                        if (a != e || !actualRead.AsSpan(0, a).SequenceEqual(expectedRead.AsSpan(0, e)))
                        {
                            return false;
                        }

                        break;
                    case 2:
                        stream.Seek(value, SeekOrigin.Begin);
                        expected.Seek(value, SeekOrigin.Begin);
                        break;
                    case 3:
                        stream.SetLength(value);
                        expected.SetLength(value);
                        break;
                    case 4:
                        long back = Math.Min(value, expected.Length);
                        stream.Seek(-back, SeekOrigin.End);
                        expected.Seek(-back, SeekOrigin.End);
                        break;
                    default:
                        if (stream.Length != expected.Length)
                        {
                            return false;
                        }

                        break;
                }

                if (stream.Position != expected.Position)
                {
                    return false;
                }
            }

            return stream.Length == expected.Length;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(40));
    }

    private static bool RunAgainstBuffer(int chunk, int perRequest, List<(int Kind, int Offset, int Length)> ops)
    {
        var path = new ModelObjectDataPath(new DaosClientOptions { ManagementEndpoints = ["inproc://model"], IoRequestBytesMax = perRequest, IoRequestsInFlightMax = 3 });
        DaosArray array = DaosArray.CreateAsync(path, ByteArrayId, 1, chunk, default).AsTask().GetAwaiter().GetResult();
        var model = new List<byte>();
        byte fill = 1;
        foreach ((int kind, int offset, int length) in ops)
        {
            if (kind <= 4)
            {
                byte[] data = new byte[length];
                for (int i = 0; i < length; i++)
                {
                    data[i] = (byte)(fill + i);
                }

                fill += 7;
                array.WriteAsync(offset, data).AsTask().GetAwaiter().GetResult();
                while (length > 0 && model.Count < offset + length)
                {
                    model.Add(0);
                }

                for (int i = 0; i < length; i++)
                {
                    model[offset + i] = data[i];
                }
            }
            else if (kind <= 6)
            {
                array.SetSizeAsync(offset).AsTask().GetAwaiter().GetResult();
                if (offset < model.Count)
                {
                    model.RemoveRange(offset, model.Count - offset);
                }

                while (model.Count < offset)
                {
                    model.Add(0);
                }
            }
            else
            {
                byte[] actual = Enumerable.Repeat((byte)0xEE, length).ToArray();
                int read = array.ReadAsync(offset, actual).AsTask().GetAwaiter().GetResult();
                int expected = Math.Clamp(model.Count - offset, 0, length);
                if (read != expected || !actual.AsSpan(0, read).SequenceEqual(model.Skip(offset).Take(read).ToArray()))
                {
                    return false;
                }
            }

            if (array.GetSizeAsync().AsTask().GetAwaiter().GetResult() != model.Count)
            {
                return false;
            }
        }

        return true;
    }
}
