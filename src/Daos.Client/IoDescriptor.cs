using System.Text;

namespace Daos.Client;

/// <summary>
/// One akey of an object update or fetch, as DAOS's <c>daos_iod_t</c> with its scatter-gather list: which akey, which
/// kind of value, and for arrays which records. Several descriptors under one dkey travel in one request.
/// </summary>
/// <remarks>
/// Build descriptors with the factories: <see cref="Single(ReadOnlyMemory{byte}, ReadOnlyMemory{byte})"/> and
/// <see cref="Array(ReadOnlyMemory{byte}, long, ReadOnlyMemory{byte}, int)"/> for updates,
/// <see cref="Single(ReadOnlyMemory{byte})"/> and <see cref="ArrayRange(ReadOnlyMemory{byte}, long, long, int)"/> for fetches.
/// </remarks>
public sealed record IoDescriptor
{
    private IoDescriptor(ReadOnlyMemory<byte> akey, IoKind kind, ReadOnlyMemory<byte> data, long index, long count, int recordSize, bool isUpdate)
    {
        IsUpdate = isUpdate;
        Akey = akey;
        Kind = kind;
        Data = data;
        Index = index;
        Count = count;
        RecordSize = recordSize;
    }

    /// <summary>The attribute key.</summary>
    public ReadOnlyMemory<byte> Akey { get; }

    /// <summary>Single value or array records.</summary>
    public IoKind Kind { get; }

    /// <summary>For an update: the single value or the records' bytes (<see cref="Count"/> × <see cref="RecordSize"/>). Empty for a fetch.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>For arrays: the first record index.</summary>
    public long Index { get; }

    /// <summary>For arrays: the number of records.</summary>
    public long Count { get; }

    /// <summary>For arrays: the size of one record in bytes.</summary>
    public int RecordSize { get; }

    /// <summary>An update of a single value.</summary>
    public static IoDescriptor Single(ReadOnlyMemory<byte> akey, ReadOnlyMemory<byte> value) =>
        new(akey, IoKind.Single, value, 0, 0, 0, isUpdate: true);

    /// <summary>An update of a single value, with a UTF-8 akey.</summary>
    public static IoDescriptor Single(string akey, ReadOnlyMemory<byte> value) => Single(Utf8(akey), value);

    /// <summary>A fetch of a single value.</summary>
    public static IoDescriptor Single(ReadOnlyMemory<byte> akey) => new(akey, IoKind.Single, ReadOnlyMemory<byte>.Empty, 0, 0, 0, isUpdate: false);

    /// <summary>A fetch of a single value, with a UTF-8 akey.</summary>
    public static IoDescriptor Single(string akey) => Single(Utf8(akey));

    /// <summary>An update of array records starting at <paramref name="index"/>.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> when the record size is not positive or the
    /// bytes are not a whole number of records.</exception>
    public static IoDescriptor Array(ReadOnlyMemory<byte> akey, long index, ReadOnlyMemory<byte> records, int recordSize = 1)
    {
        CheckRecordSize(recordSize);
        if (records.Length == 0 || records.Length % recordSize != 0)
        {
            ThrowHelper.InvalidArgument($"{records.Length} bytes are not a whole, non-zero number of {recordSize}-byte records");
        }

        CheckRange(index, records.Length / recordSize);
        return new(akey, IoKind.Array, records, index, records.Length / recordSize, recordSize, isUpdate: true);
    }

    /// <summary>An update of array records, with a UTF-8 akey.</summary>
    public static IoDescriptor Array(string akey, long index, ReadOnlyMemory<byte> records, int recordSize = 1) =>
        Array(Utf8(akey), index, records, recordSize);

    /// <summary>A fetch of <paramref name="count"/> array records starting at <paramref name="index"/>.</summary>
    public static IoDescriptor ArrayRange(ReadOnlyMemory<byte> akey, long index, long count, int recordSize = 1)
    {
        CheckRecordSize(recordSize);
        CheckRange(index, count);
        if (count > int.MaxValue / recordSize)
        {
            ThrowHelper.InvalidArgument($"{count} records of {recordSize} bytes do not fit one buffer");
        }

        return new(akey, IoKind.Array, ReadOnlyMemory<byte>.Empty, index, count, recordSize, isUpdate: false);
    }

    /// <summary>A fetch of array records, with a UTF-8 akey.</summary>
    public static IoDescriptor ArrayRange(string akey, long index, long count, int recordSize = 1) =>
        ArrayRange(Utf8(akey), index, count, recordSize);

    /// <summary>True for an update descriptor, false for a fetch descriptor.</summary>
    public bool IsUpdate { get; }

    internal static ReadOnlyMemory<byte> Utf8(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Encoding.UTF8.GetBytes(key);
    }

    private static void CheckRecordSize(int recordSize)
    {
        if (recordSize <= 0)
        {
            ThrowHelper.InvalidArgument($"record size {recordSize} must be positive");
        }
    }

    private static void CheckRange(long index, long count)
    {
        if (!new Extent(index, count).IsValid)
        {
            ThrowHelper.InvalidArgument($"record range [{index}, +{count}) is invalid: index >= 0, count > 0");
        }
    }
}
