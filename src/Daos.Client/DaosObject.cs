using Daos.Client.Objects;

namespace Daos.Client;

/// <summary>
/// An object of a container: dkeys, under them akeys, under them single values or arrays of records, as DAOS's
/// <c>daos_obj_*</c> calls. Opening one costs nothing (the layout is computed locally, on first use); every call goes
/// straight to the target holding the dkey's shard.
/// </summary>
/// <remarks>
/// Thread-safe: any number of calls may be in flight. Calls fail with <see cref="DaosError.NoHandle"/> once the
/// container handle is closed. Every key-taking member has a <see cref="string"/> overload that uses UTF-8.
/// </remarks>
public sealed class DaosObject
{
    private readonly IObjectDataPath _path;

    internal DaosObject(IObjectDataPath path, ObjectId id)
    {
        _path = path;
        Id = id;
    }

    /// <summary>The object id.</summary>
    public ObjectId Id { get; }

    internal DaosClientOptions Options => _path.Options;

    /// <summary>Writes a single value under (dkey, akey).</summary>
    public ValueTask PutAsync(ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey, ReadOnlyMemory<byte> value, WriteOptions? options = null, CancellationToken ct = default)
    {
        CheckKey(dkey, "dkey");
        CheckKey(akey, "akey");
        CheckSingleValue(value);
        return _path.UpdateAsync(Id, dkey, [IoDescriptor.Single(akey, value)], options?.Condition ?? WriteCondition.None, ct);
    }

    /// <summary>Writes a single value, with UTF-8 keys.</summary>
    public ValueTask PutAsync(string dkey, string akey, ReadOnlyMemory<byte> value, WriteOptions? options = null, CancellationToken ct = default) =>
        PutAsync(IoDescriptor.Utf8(dkey), IoDescriptor.Utf8(akey), value, options, ct);

    /// <summary>Reads the single value under (dkey, akey); null when absent.</summary>
    public async ValueTask<byte[]?> GetAsync(ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey, ReadOptions? options = null, CancellationToken ct = default)
    {
        CheckKey(dkey, "dkey");
        CheckKey(akey, "akey");
        IReadOnlyList<IoResult> results = await _path.FetchAsync(Id, dkey, [IoDescriptor.Single(akey)], ReadOptions.EpochOf(options), ct);
        return results[0].Value;
    }

    /// <summary>Reads a single value, with UTF-8 keys.</summary>
    public ValueTask<byte[]?> GetAsync(string dkey, string akey, ReadOptions? options = null, CancellationToken ct = default) =>
        GetAsync(IoDescriptor.Utf8(dkey), IoDescriptor.Utf8(akey), options, ct);

    /// <summary>
    /// Writes array records starting at record <paramref name="index"/>; large writes are split into several requests
    /// sent concurrently (each record stays atomic).
    /// </summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey, long index, ReadOnlyMemory<byte> records, int recordSize = 1, WriteOptions? options = null, CancellationToken ct = default)
    {
        CheckKey(dkey, "dkey");
        CheckKey(akey, "akey");
        _ = IoDescriptor.Array(akey, index, records, recordSize);
        WriteCondition condition = options?.Condition ?? WriteCondition.None;
        int recordsPerRequest = RecordsPerRequest(recordSize);
        long total = records.Length / recordSize;
        if (total <= recordsPerRequest)
        {
            return _path.UpdateAsync(Id, dkey, [IoDescriptor.Array(akey, index, records, recordSize)], condition, ct);
        }

        int pieces = checked((int)((total + recordsPerRequest - 1) / recordsPerRequest));
        var state = (Self: this, Dkey: dkey, Akey: akey, Index: index, Records: records, RecordSize: recordSize, PerRequest: recordsPerRequest, Condition: condition);
        return IoWindow.RunAsync(pieces, Options.IoRequestsInFlightMax, state, static (s, piece, token) =>
        {
            long first = (long)piece * s.PerRequest;
            int count = (int)Math.Min(s.PerRequest, (s.Records.Length / s.RecordSize) - first);
            ReadOnlyMemory<byte> slice = s.Records.Slice((int)(first * s.RecordSize), count * s.RecordSize);
            return s.Self._path.UpdateAsync(s.Self.Id, s.Dkey, [IoDescriptor.Array(s.Akey, s.Index + first, slice, s.RecordSize)], s.Condition, token);
        }, ct);
    }

    /// <summary>Writes array records, with UTF-8 keys.</summary>
    public ValueTask WriteAsync(string dkey, string akey, long index, ReadOnlyMemory<byte> records, int recordSize = 1, WriteOptions? options = null, CancellationToken ct = default) =>
        WriteAsync(IoDescriptor.Utf8(dkey), IoDescriptor.Utf8(akey), index, records, recordSize, options, ct);

    /// <summary>
    /// Reads array records starting at record <paramref name="index"/> into <paramref name="destination"/> (a whole number
    /// of records). As VOS: bytes of holes are left untouched and listed in <see cref="ArrayReadResult.Holes"/>.
    /// </summary>
    public async ValueTask<ArrayReadResult> ReadAsync(ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey, long index, Memory<byte> destination, int recordSize = 1, ReadOptions? options = null, CancellationToken ct = default)
    {
        CheckKey(dkey, "dkey");
        CheckKey(akey, "akey");
        if (recordSize <= 0 || destination.Length == 0 || destination.Length % recordSize != 0)
        {
            ThrowHelper.InvalidArgument($"a destination of {destination.Length} bytes is not a whole, non-zero number of {recordSize}-byte records");
        }

        _ = IoDescriptor.ArrayRange(akey, index, destination.Length / recordSize, recordSize);
        Epoch epoch = ReadOptions.EpochOf(options);
        int recordsPerRequest = RecordsPerRequest(recordSize);
        long total = destination.Length / recordSize;
        int pieces = checked((int)((total + recordsPerRequest - 1) / recordsPerRequest));
        var results = new IoResult[pieces];
        var state = (Self: this, Dkey: dkey, Akey: akey, Index: index, Destination: destination, RecordSize: recordSize, PerRequest: recordsPerRequest, Epoch: epoch, Results: results);
        await IoWindow.RunAsync(pieces, Options.IoRequestsInFlightMax, state, static async (s, piece, token) =>
        {
            long first = (long)piece * s.PerRequest;
            long count = Math.Min(s.PerRequest, (s.Destination.Length / s.RecordSize) - first);
            IReadOnlyList<IoResult> r = await s.Self._path.FetchAsync(s.Self.Id, s.Dkey, [IoDescriptor.ArrayRange(s.Akey, s.Index + first, count, s.RecordSize)], s.Epoch, token);
            s.Results[piece] = r[0];
            CopyVisible(r[0], s.Destination.Span.Slice((int)(first * s.RecordSize), (int)(count * s.RecordSize)), s.Index + first, s.RecordSize);
        }, ct);

        // Targets list the holes before the last visible record of each piece; the rest of a piece is a hole too. As
        // VOS, the holes after the last visible record of the whole range are implied by Length, not listed.
        var holes = new List<Extent>();
        int length = 0;
        for (int piece = 0; piece < pieces; piece++)
        {
            IoResult r = results[piece];
            long first = index + ((long)piece * recordsPerRequest);
            long end = Math.Min(first + recordsPerRequest, index + total);
            var pieceHoles = new List<Extent>(r.Holes);
            long visibleEnd = first + ((r.Length + recordSize - 1) / recordSize);
            if (visibleEnd < end)
            {
                pieceHoles.Add(new Extent(visibleEnd, end - visibleEnd));
            }

            pieceHoles.Sort(static (a, b) => a.Index.CompareTo(b.Index));
            foreach (Extent hole in pieceHoles)
            {
                if (holes.Count > 0 && holes[^1].End >= hole.Index)
                {
                    holes[^1] = new Extent(holes[^1].Index, Math.Max(holes[^1].End, hole.End) - holes[^1].Index);
                }
                else
                {
                    holes.Add(hole);
                }
            }

            if (r.Length > 0)
            {
                length = (int)(((long)piece * recordsPerRequest * recordSize) + r.Length);
            }
        }

        if (holes.Count > 0 && holes[^1].End == index + total)
        {
            holes.RemoveAt(holes.Count - 1);
        }

        return new ArrayReadResult(length, holes);
    }

    /// <summary>Reads array records, with UTF-8 keys.</summary>
    public ValueTask<ArrayReadResult> ReadAsync(string dkey, string akey, long index, Memory<byte> destination, int recordSize = 1, ReadOptions? options = null, CancellationToken ct = default) =>
        ReadAsync(IoDescriptor.Utf8(dkey), IoDescriptor.Utf8(akey), index, destination, recordSize, options, ct);

    /// <summary>Writes several akeys under one dkey in one request (one epoch, one trip).</summary>
    public ValueTask UpdateAsync(ReadOnlyMemory<byte> dkey, IReadOnlyList<IoDescriptor> iods, WriteOptions? options = null, CancellationToken ct = default)
    {
        CheckKey(dkey, "dkey");
        CheckIods(iods, update: true);
        return _path.UpdateAsync(Id, dkey, iods, options?.Condition ?? WriteCondition.None, ct);
    }

    /// <summary>Writes several akeys, with a UTF-8 dkey.</summary>
    public ValueTask UpdateAsync(string dkey, IReadOnlyList<IoDescriptor> iods, WriteOptions? options = null, CancellationToken ct = default) =>
        UpdateAsync(IoDescriptor.Utf8(dkey), iods, options, ct);

    /// <summary>Reads several akeys under one dkey in one request; results in descriptor order.</summary>
    public ValueTask<IReadOnlyList<IoResult>> FetchAsync(ReadOnlyMemory<byte> dkey, IReadOnlyList<IoDescriptor> iods, ReadOptions? options = null, CancellationToken ct = default)
    {
        CheckKey(dkey, "dkey");
        CheckIods(iods, update: false);
        return _path.FetchAsync(Id, dkey, iods, ReadOptions.EpochOf(options), ct);
    }

    /// <summary>Reads several akeys, with a UTF-8 dkey.</summary>
    public ValueTask<IReadOnlyList<IoResult>> FetchAsync(string dkey, IReadOnlyList<IoDescriptor> iods, ReadOptions? options = null, CancellationToken ct = default) =>
        FetchAsync(IoDescriptor.Utf8(dkey), iods, options, ct);

    /// <summary>Punches the whole object on every shard: nothing of it is visible at later epochs.</summary>
    public ValueTask PunchAsync(WriteOptions? options = null, CancellationToken ct = default) => _path.PunchObjectAsync(Id, ct);

    /// <summary>Punches a dkey and everything under it.</summary>
    public ValueTask PunchDkeyAsync(ReadOnlyMemory<byte> dkey, WriteOptions? options = null, CancellationToken ct = default)
    {
        CheckKey(dkey, "dkey");
        return _path.PunchDkeyAsync(Id, dkey, ct);
    }

    /// <summary>Punches a dkey, UTF-8.</summary>
    public ValueTask PunchDkeyAsync(string dkey, WriteOptions? options = null, CancellationToken ct = default) =>
        PunchDkeyAsync(IoDescriptor.Utf8(dkey), options, ct);

    /// <summary>Punches an akey and its value.</summary>
    public ValueTask PunchAkeyAsync(ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey, WriteOptions? options = null, CancellationToken ct = default)
    {
        CheckKey(dkey, "dkey");
        CheckKey(akey, "akey");
        return _path.PunchAkeyAsync(Id, dkey, akey, ct);
    }

    /// <summary>Punches an akey, UTF-8.</summary>
    public ValueTask PunchAkeyAsync(string dkey, string akey, WriteOptions? options = null, CancellationToken ct = default) =>
        PunchAkeyAsync(IoDescriptor.Utf8(dkey), IoDescriptor.Utf8(akey), options, ct);

    /// <summary>Punches array records: they read as holes at later epochs.</summary>
    public ValueTask PunchExtentsAsync(ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey, Extent records, WriteOptions? options = null, CancellationToken ct = default)
    {
        CheckKey(dkey, "dkey");
        CheckKey(akey, "akey");
        records.Validate();
        return _path.PunchExtentsAsync(Id, dkey, akey, records, ct);
    }

    /// <summary>Punches array records, UTF-8 keys.</summary>
    public ValueTask PunchExtentsAsync(string dkey, string akey, Extent records, WriteOptions? options = null, CancellationToken ct = default) =>
        PunchExtentsAsync(IoDescriptor.Utf8(dkey), IoDescriptor.Utf8(akey), records, options, ct);

    /// <summary>Lists the visible dkeys of every shard (order within a shard is the target's key order).</summary>
    public IAsyncEnumerable<byte[]> ListDkeysAsync(ReadOptions? options = null, CancellationToken ct = default) =>
        _path.ListDkeysAsync(Id, ReadOptions.EpochOf(options), ct);

    /// <summary>Lists the visible akeys under a dkey.</summary>
    public IAsyncEnumerable<byte[]> ListAkeysAsync(ReadOnlyMemory<byte> dkey, ReadOptions? options = null, CancellationToken ct = default)
    {
        CheckKey(dkey, "dkey");
        return _path.ListAkeysAsync(Id, dkey, ReadOptions.EpochOf(options), ct);
    }

    /// <summary>Lists akeys, UTF-8 dkey.</summary>
    public IAsyncEnumerable<byte[]> ListAkeysAsync(string dkey, ReadOptions? options = null, CancellationToken ct = default) =>
        ListAkeysAsync(IoDescriptor.Utf8(dkey), options, ct);

    /// <summary>Lists the visible extents of an array akey in index order.</summary>
    public IAsyncEnumerable<Extent> ListExtentsAsync(ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey, ReadOptions? options = null, CancellationToken ct = default)
    {
        CheckKey(dkey, "dkey");
        CheckKey(akey, "akey");
        return _path.ListExtentsAsync(Id, dkey, akey, ReadOptions.EpochOf(options), ct);
    }

    /// <summary>Lists extents, UTF-8 keys.</summary>
    public IAsyncEnumerable<Extent> ListExtentsAsync(string dkey, string akey, ReadOptions? options = null, CancellationToken ct = default) =>
        ListExtentsAsync(IoDescriptor.Utf8(dkey), IoDescriptor.Utf8(akey), options, ct);

    /// <summary>The highest visible record index of an array akey, or null when it has none.</summary>
    public ValueTask<long?> QueryMaxIndexAsync(ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey, ReadOptions? options = null, CancellationToken ct = default)
    {
        CheckKey(dkey, "dkey");
        CheckKey(akey, "akey");
        return _path.QueryMaxIndexAsync(Id, dkey, akey, ReadOptions.EpochOf(options), ct);
    }

    /// <inheritdoc/>
    public override string ToString() => $"object {Id}";

    internal static void CopyVisible(IoResult result, Span<byte> destination, long firstIndex, int recordSize)
    {
        byte[] data = result.Value ?? [];
        long cursor = firstIndex;
        long end = firstIndex + (destination.Length / recordSize);
        foreach (Extent hole in result.Holes)
        {
            long holeStart = Math.Clamp(hole.Index, cursor, end);
            Copy(data, destination, cursor, holeStart, firstIndex, recordSize);
            cursor = Math.Clamp(hole.End, cursor, end);
        }

        Copy(data, destination, cursor, end, firstIndex, recordSize);

        static void Copy(byte[] data, Span<byte> destination, long from, long to, long firstIndex, int recordSize)
        {
            if (to > from)
            {
                int offset = (int)((from - firstIndex) * recordSize);
                int length = (int)((to - from) * recordSize);
                int available = Math.Max(0, Math.Min(length, data.Length - offset));
                data.AsSpan(offset, available).CopyTo(destination.Slice(offset, available));
            }
        }
    }

    private int RecordsPerRequest(int recordSize) => Math.Max(1, Options.IoRequestBytesMax / recordSize);

    private void CheckKey(ReadOnlyMemory<byte> key, string what)
    {
        if (key.IsEmpty)
        {
            ThrowHelper.InvalidArgument($"{what} must not be empty");
        }

        if (key.Length > Options.KeyBytesMax)
        {
            ThrowHelper.Throw(DaosError.KeyTooBig, $"{what} of {key.Length} bytes exceeds the limit of {Options.KeyBytesMax}");
        }
    }

    private void CheckSingleValue(ReadOnlyMemory<byte> value)
    {
        if (value.IsEmpty)
        {
            ThrowHelper.InvalidArgument("a single value must not be empty; punch the akey to remove it");
        }

        if (value.Length > Options.SingleValueBytesMax)
        {
            ThrowHelper.Throw(DaosError.RecordTooBig, $"a single value of {value.Length} bytes exceeds the limit of {Options.SingleValueBytesMax}");
        }
    }

    private void CheckIods(IReadOnlyList<IoDescriptor> iods, bool update)
    {
        ArgumentNullException.ThrowIfNull(iods);
        if (iods.Count == 0)
        {
            ThrowHelper.InvalidArgument("at least one I/O descriptor is needed");
        }

        long bytes = 0;
        for (int i = 0; i < iods.Count; i++)
        {
            IoDescriptor iod = iods[i] ?? throw new DaosException(DaosError.InvalidArgument, $"I/O descriptor {i} is null");
            CheckKey(iod.Akey, "akey");
            if (update != iod.IsUpdate)
            {
                ThrowHelper.InvalidArgument(update
                    ? $"I/O descriptor {i} describes a fetch; updates need IoDescriptor.Single(akey, value) or IoDescriptor.Array(akey, index, records)"
                    : $"I/O descriptor {i} carries data; fetches need IoDescriptor.Single(akey) or IoDescriptor.ArrayRange(akey, index, count)");
            }

            if (iod.Kind == IoKind.Single && update)
            {
                CheckSingleValue(iod.Data);
            }

            bytes += update ? iod.Data.Length : iod.Count * iod.RecordSize;
            for (int j = 0; j < i; j++)
            {
                IoDescriptor other = iods[j];
                if (other.Akey.Span.SequenceEqual(iod.Akey.Span)
                    && (iod.Kind == IoKind.Single || other.Kind == IoKind.Single || new Extent(iod.Index, iod.Count).Overlaps(new Extent(other.Index, other.Count))))
                {
                    ThrowHelper.InvalidArgument($"I/O descriptors {j} and {i} overlap on the same akey");
                }
            }
        }

        if (bytes > Options.IoRequestBytesMax)
        {
            ThrowHelper.Throw(DaosError.RecordTooBig, $"one request of {bytes} bytes exceeds IoRequestBytesMax ({Options.IoRequestBytesMax}); split it, or use WriteAsync/ReadAsync which split for you");
        }
    }
}
