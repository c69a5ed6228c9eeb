using Daos.Client.Arrays;
using Daos.Client.Objects;

namespace Daos.Client;

/// <summary>
/// A byte-addressed array object, as DAOS's <c>daos_array</c>: cells of <see cref="CellSize"/> bytes, chunked over
/// integer dkeys, <see cref="ChunkSize"/> cells per dkey (record <c>i</c> under dkey <c>i / ChunkSize + 1</c>, akey
/// <c>'0'</c>), with the cell and chunk sizes recorded under dkey 0. Offsets and sizes are in bytes and must be whole
/// cells. As POSIX files (and unlike raw object reads), holes read as zeros. The size is not stored: as DAOS, it is the
/// end of the highest visible record, found from the highest dkey.
/// </summary>
/// <remarks>
/// Thread-safe; the I/O of one call is split per dkey and sent with many requests in flight. Disposing releases
/// nothing remote (DAOS's array close is local too).
/// </remarks>
public sealed class DaosArray : IAsyncDisposable
{
    private readonly DaosObject _object;

    private DaosArray(DaosObject obj, int cellSize, long chunkSize)
    {
        _object = obj;
        CellSize = cellSize;
        ChunkSize = chunkSize;
    }

    /// <summary>The object id.</summary>
    public ObjectId Id => _object.Id;

    /// <summary>Bytes per cell (record).</summary>
    public int CellSize { get; }

    /// <summary>Cells per dkey.</summary>
    public long ChunkSize { get; }

    internal static async ValueTask<DaosArray> CreateAsync(IObjectDataPath path, ObjectId oid, int cellSize, long chunkSize, CancellationToken ct)
    {
        if (!oid.Type.IsArray())
        {
            ThrowHelper.InvalidArgument($"object {oid} is of type {oid.Type}; arrays need an Array or ByteArray object id");
        }

        if (cellSize <= 0 || chunkSize <= 0 || chunkSize > long.MaxValue / cellSize)
        {
            ThrowHelper.InvalidArgument($"cell size {cellSize} and chunk size {chunkSize} must be positive");
        }

        var obj = new DaosObject(path, oid);
        await obj.PutAsync(ArrayChunkMap.MetadataDkey, ArrayChunkMap.Akey, ArrayChunkMap.EncodeMetadata(cellSize, chunkSize),
            new WriteOptions { Condition = WriteCondition.InsertOnly }, ct);
        return new DaosArray(obj, cellSize, chunkSize);
    }

    internal static async ValueTask<DaosArray> OpenAsync(IObjectDataPath path, ObjectId oid, CancellationToken ct)
    {
        if (!oid.Type.IsArray())
        {
            ThrowHelper.InvalidArgument($"object {oid} is of type {oid.Type}, not an array");
        }

        var obj = new DaosObject(path, oid);
        byte[]? metadata = await obj.GetAsync(ArrayChunkMap.MetadataDkey, ArrayChunkMap.Akey, null, ct)
            ?? throw new DaosException(DaosError.NonExistent, $"array {oid} does not exist (no metadata under dkey 0)");
        (int cell, long chunk) = ArrayChunkMap.DecodeMetadata(metadata, oid);
        return new DaosArray(obj, cell, chunk);
    }

    /// <summary>Writes <paramref name="data"/> at byte <paramref name="offset"/>, extending the array if needed.</summary>
    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, WriteOptions? options = null, CancellationToken ct = default)
    {
        CheckAligned(offset, data.Length);
        if (data.IsEmpty)
        {
            return ValueTask.CompletedTask;
        }

        List<ArrayPiece> pieces = Split(offset, data.Length);
        var state = (Self: this, Data: data, Pieces: pieces, Options: options);
        return IoWindow.RunAsync(pieces.Count, _object.Options.IoRequestsInFlightMax, state, static (s, i, token) =>
        {
            ArrayPiece piece = s.Pieces[i];
            int cell = s.Self.CellSize;
            ReadOnlyMemory<byte> slice = s.Data.Slice((int)(piece.RecordOffset * cell), (int)(piece.Count * cell));
            return s.Self._object.WriteAsync(ArrayChunkMap.EncodeDkey(piece.Dkey), ArrayChunkMap.Akey, piece.IndexInChunk, slice, cell, s.Options, token);
        }, ct);
    }

    /// <summary>
    /// Reads into <paramref name="destination"/> from byte <paramref name="offset"/>. Returns the bytes read before the
    /// end of the array (a short count at the end, 0 past it); holes inside the array read as zeros.
    /// </summary>
    public async ValueTask<int> ReadAsync(long offset, Memory<byte> destination, ReadOptions? options = null, CancellationToken ct = default)
    {
        CheckAligned(offset, destination.Length);
        if (destination.IsEmpty)
        {
            return 0;
        }

        destination.Span.Clear();
        List<ArrayPiece> pieces = Split(offset, destination.Length);
        var lengths = new int[pieces.Count];
        var state = (Self: this, Destination: destination, Pieces: pieces, Options: options, Lengths: lengths);
        await IoWindow.RunAsync(pieces.Count, _object.Options.IoRequestsInFlightMax, state, static async (s, i, token) =>
        {
            ArrayPiece piece = s.Pieces[i];
            int cell = s.Self.CellSize;
            Memory<byte> slice = s.Destination.Slice((int)(piece.RecordOffset * cell), (int)(piece.Count * cell));
            ArrayReadResult r = await s.Self._object.ReadAsync(ArrayChunkMap.EncodeDkey(piece.Dkey), ArrayChunkMap.Akey, piece.IndexInChunk, slice, cell, s.Options, token);
            s.Lengths[i] = r.Length;
        }, ct);

        // If the last piece is visible to its end, no byte of the request lies past the array's end.
        ArrayPiece last = pieces[^1];
        if (lengths[^1] == last.Count * CellSize)
        {
            return destination.Length;
        }

        long size = await GetSizeAsync(options, ct);
        return (int)Math.Clamp(size - offset, 0, destination.Length);
    }

    /// <summary>The array size in bytes: the end of the highest visible cell.</summary>
    public ValueTask<long> GetSizeAsync(CancellationToken ct = default) => GetSizeAsync(null, ct);

    /// <summary>The array size in bytes at the epoch of <paramref name="options"/>.</summary>
    public async ValueTask<long> GetSizeAsync(ReadOptions? options, CancellationToken ct = default)
    {
        List<ulong> dkeys = await DataDkeysAsync(options, ct);
        for (int i = dkeys.Count - 1; i >= 0; i--)
        {
            long? max = await _object.QueryMaxIndexAsync(ArrayChunkMap.EncodeDkey(dkeys[i]), ArrayChunkMap.Akey, options, ct);
            if (max is { } index)
            {
                return (ArrayChunkMap.RecordIndexOf(dkeys[i], index, ChunkSize) + 1) * CellSize;
            }
        }

        return 0;
    }

    /// <summary>
    /// Sets the size in bytes: shrinking punches every cell at or past <paramref name="size"/>; growing writes a zero
    /// cell at the new end (as DAOS), so the bytes between read as zeros.
    /// </summary>
    public async ValueTask SetSizeAsync(long size, CancellationToken ct = default)
    {
        CheckAligned(size, 0);
        long records = size / CellSize;
        List<ulong> dkeys = await DataDkeysAsync(null, ct);
        ulong lastDkey = 0;
        long lastIndex = -1;
        if (records > 0)
        {
            (lastDkey, lastIndex) = ArrayChunkMap.Locate(records - 1, ChunkSize);
        }

        var punches = new List<Task>();
        bool lastDkeyExists = false;
        foreach (ulong dkey in dkeys)
        {
            if (dkey > lastDkey)
            {
                // As DAOS: dkey 1 keeps an extent punch so the array keeps an epoch there; the others go whole.
                punches.Add(dkey == 1
                    ? _object.PunchExtentsAsync(ArrayChunkMap.EncodeDkey(dkey), ArrayChunkMap.Akey, new Extent(0, ChunkSize), null, ct).AsTask()
                    : _object.PunchDkeyAsync(ArrayChunkMap.EncodeDkey(dkey), null, ct).AsTask());
            }
            else if (dkey == lastDkey)
            {
                lastDkeyExists = true;
                if (lastIndex + 1 < ChunkSize)
                {
                    punches.Add(_object.PunchExtentsAsync(ArrayChunkMap.EncodeDkey(dkey), ArrayChunkMap.Akey, new Extent(lastIndex + 1, ChunkSize - lastIndex - 1), null, ct).AsTask());
                }
            }
        }

        await Task.WhenAll(punches);

        if (records == 0)
        {
            return;
        }

        byte[] dkeyBytes = ArrayChunkMap.EncodeDkey(lastDkey);
        if (lastDkeyExists)
        {
            byte[] cell = new byte[CellSize];
            ArrayReadResult present = await _object.ReadAsync(dkeyBytes, ArrayChunkMap.Akey, lastIndex, cell, CellSize, null, ct);
            if (present.Length > 0)
            {
                return;
            }
        }

        await _object.WriteAsync(dkeyBytes, ArrayChunkMap.Akey, lastIndex, new byte[CellSize], CellSize, null, ct);
    }

    /// <summary>Punches the whole array object, metadata included.</summary>
    public ValueTask DestroyAsync(CancellationToken ct = default) => _object.PunchAsync(null, ct);

    /// <summary>
    /// A seekable <see cref="Stream"/> over the array (cell size 1): reads, writes, seeks, <see cref="Stream.SetLength"/>
    /// and <see cref="Stream.Length"/> map onto the calls above; holes read as zeros.
    /// </summary>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> when the cell size is not 1.</exception>
    public Stream AsStream()
    {
        if (CellSize != 1)
        {
            ThrowHelper.InvalidArgument($"a stream needs a byte array (cell size 1); this array's cells are {CellSize} bytes");
        }

        return new DaosArrayStream(this);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <inheritdoc/>
    public override string ToString() => $"array {Id} (cell {CellSize} B, chunk {ChunkSize} cells)";

    private List<ArrayPiece> Split(long offset, int length) =>
        ArrayChunkMap.Split(offset / CellSize, length / CellSize, ChunkSize, Math.Max(1, _object.Options.IoRequestBytesMax / CellSize));

    private void CheckAligned(long offset, int length)
    {
        if (offset < 0 || offset % CellSize != 0 || length % CellSize != 0 || offset > long.MaxValue - length)
        {
            ThrowHelper.InvalidArgument($"offset {offset} and length {length} must be non-negative whole numbers of {CellSize}-byte cells");
        }
    }

    private async ValueTask<List<ulong>> DataDkeysAsync(ReadOptions? options, CancellationToken ct)
    {
        var dkeys = new List<ulong>();
        await foreach (byte[] key in _object.ListDkeysAsync(options, ct))
        {
            if (ArrayChunkMap.TryDecodeDkey(key, out ulong value) && value != 0)
            {
                dkeys.Add(value);
            }
        }

        dkeys.Sort();
        return dkeys;
    }
}
