using Daos.Client.Objects;

namespace Daos.Client.Tests.Model;

/// <summary>
/// A deliberately naive object store: a dictionary per (object, dkey, akey) holding a single value or a map from record
/// index to record bytes. The array and key-value mappings are checked against it before any engine is involved.
/// Only the latest state exists: reads at a snapshot are refused.
/// </summary>
internal sealed class ModelObjectDataPath : IObjectDataPath
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(ObjectId, string, string), Value> _values = [];

    public ModelObjectDataPath(DaosClientOptions? options = null) =>
        Options = options ?? new DaosClientOptions { ManagementEndpoints = ["inproc://model"] };

    public DaosClientOptions Options { get; }

    public int UpdateCount { get; private set; }

    public ValueTask UpdateAsync(ObjectId oid, ReadOnlyMemory<byte> dkey, IReadOnlyList<IoDescriptor> iods, WriteCondition condition, CancellationToken ct)
    {
        lock (_lock)
        {
            UpdateCount++;
            foreach (IoDescriptor iod in iods)
            {
                var key = (oid, Hex(dkey), Hex(iod.Akey));
                bool exists = _values.TryGetValue(key, out Value? value) && value.IsVisible;
                if (condition == WriteCondition.InsertOnly && exists)
                {
                    throw new DaosException(DaosError.Exists, "exists");
                }

                if (condition == WriteCondition.UpdateOnly && !exists)
                {
                    throw new DaosException(DaosError.NonExistent, "absent");
                }

                if (iod.Kind == IoKind.Single)
                {
                    _values[key] = new Value { Single = iod.Data.ToArray() };
                }
                else
                {
                    if (value is null || value.Records is null)
                    {
                        value = new Value { Records = [] };
                        _values[key] = value;
                    }

                    for (long i = 0; i < iod.Count; i++)
                    {
                        value.Records![iod.Index + i] = iod.Data.Slice((int)(i * iod.RecordSize), iod.RecordSize).ToArray();
                    }
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<IoResult>> FetchAsync(ObjectId oid, ReadOnlyMemory<byte> dkey, IReadOnlyList<IoDescriptor> iods, Epoch epoch, CancellationToken ct)
    {
        CheckLatest(epoch);
        var results = new List<IoResult>();
        lock (_lock)
        {
            foreach (IoDescriptor iod in iods)
            {
                _values.TryGetValue((oid, Hex(dkey), Hex(iod.Akey)), out Value? value);
                if (iod.Kind == IoKind.Single)
                {
                    byte[]? single = value?.Single?.ToArray();
                    results.Add(new IoResult(iod.Akey, IoKind.Single, single, single?.Length ?? 0, []));
                    continue;
                }

                byte[] buffer = new byte[iod.Count * iod.RecordSize];
                var holes = new List<Extent>();
                int length = 0;
                for (long i = 0; i < iod.Count; i++)
                {
                    if (value?.Records is { } records && records.TryGetValue(iod.Index + i, out byte[]? record))
                    {
                        record.CopyTo(buffer, (int)(i * iod.RecordSize));
                        length = (int)((i + 1) * iod.RecordSize);
                    }
                    else if (holes.Count > 0 && holes[^1].End == iod.Index + i)
                    {
                        holes[^1] = new Extent(holes[^1].Index, holes[^1].Count + 1);
                    }
                    else
                    {
                        holes.Add(new Extent(iod.Index + i, 1));
                    }
                }

                if (holes.Count > 0 && holes[^1].End == iod.Index + iod.Count)
                {
                    holes.RemoveAt(holes.Count - 1); // as VOS: trailing holes are implied by the length
                }

                results.Add(new IoResult(iod.Akey, IoKind.Array, buffer, length, holes));
            }
        }

        return ValueTask.FromResult<IReadOnlyList<IoResult>>(results);
    }

    public ValueTask PunchObjectAsync(ObjectId oid, CancellationToken ct) => Remove(k => k.Item1 == oid);

    public ValueTask PunchDkeyAsync(ObjectId oid, ReadOnlyMemory<byte> dkey, CancellationToken ct)
    {
        string d = Hex(dkey);
        return Remove(k => k.Item1 == oid && k.Item2 == d);
    }

    public ValueTask PunchAkeyAsync(ObjectId oid, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey, CancellationToken ct)
    {
        string d = Hex(dkey), a = Hex(akey);
        return Remove(k => k.Item1 == oid && k.Item2 == d && k.Item3 == a);
    }

    public ValueTask PunchExtentsAsync(ObjectId oid, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey, Extent records, CancellationToken ct)
    {
        lock (_lock)
        {
            if (_values.TryGetValue((oid, Hex(dkey), Hex(akey)), out Value? value) && value.Records is { } map)
            {
                foreach (long index in map.Keys.Where(i => i >= records.Index && i < records.End).ToList())
                {
                    map.Remove(index);
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    public async IAsyncEnumerable<byte[]> ListDkeysAsync(ObjectId oid, Epoch epoch, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        CheckLatest(epoch);
        List<string> dkeys;
        lock (_lock)
        {
            dkeys = _values.Where(p => p.Key.Item1 == oid && p.Value.IsVisible).Select(p => p.Key.Item2).Distinct().ToList();
        }

        foreach (string dkey in dkeys)
        {
            await Task.Yield();
            yield return Convert.FromHexString(dkey);
        }
    }

    public async IAsyncEnumerable<byte[]> ListAkeysAsync(ObjectId oid, ReadOnlyMemory<byte> dkey, Epoch epoch, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        CheckLatest(epoch);
        string d = Hex(dkey);
        List<string> akeys;
        lock (_lock)
        {
            akeys = _values.Where(p => p.Key.Item1 == oid && p.Key.Item2 == d && p.Value.IsVisible).Select(p => p.Key.Item3).ToList();
        }

        foreach (string akey in akeys)
        {
            await Task.Yield();
            yield return Convert.FromHexString(akey);
        }
    }

    public async IAsyncEnumerable<Extent> ListExtentsAsync(ObjectId oid, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey, Epoch epoch, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        CheckLatest(epoch);
        List<long> indexes;
        lock (_lock)
        {
            indexes = _values.TryGetValue((oid, Hex(dkey), Hex(akey)), out Value? value) && value.Records is { } map
                ? map.Keys.Order().ToList()
                : [];
        }

        await Task.Yield();
        int i = 0;
        while (i < indexes.Count)
        {
            int j = i;
            while (j + 1 < indexes.Count && indexes[j + 1] == indexes[j] + 1)
            {
                j++;
            }

            yield return new Extent(indexes[i], j - i + 1);
            i = j + 1;
        }
    }

    public ValueTask<long?> QueryMaxIndexAsync(ObjectId oid, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey, Epoch epoch, CancellationToken ct)
    {
        CheckLatest(epoch);
        lock (_lock)
        {
            return ValueTask.FromResult<long?>(
                _values.TryGetValue((oid, Hex(dkey), Hex(akey)), out Value? value) && value.Records is { Count: > 0 } map ? map.Keys.Max() : null);
        }
    }

    private static void CheckLatest(Epoch epoch)
    {
        if (epoch != Epoch.Max)
        {
            throw new DaosException(DaosError.Unsupported, "the model keeps the latest state only");
        }
    }

    private static string Hex(ReadOnlyMemory<byte> bytes) => Convert.ToHexString(bytes.Span);

    private ValueTask Remove(Func<(ObjectId, string, string), bool> match)
    {
        lock (_lock)
        {
            foreach (var key in _values.Keys.Where(match).ToList())
            {
                _values.Remove(key);
            }
        }

        return ValueTask.CompletedTask;
    }

    private sealed class Value
    {
        public byte[]? Single { get; init; }

        public Dictionary<long, byte[]>? Records { get; init; }

        public bool IsVisible => Single is not null || Records is { Count: > 0 };
    }
}
