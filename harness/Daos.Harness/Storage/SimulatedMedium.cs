using Daos.Storage;

namespace Daos.Harness.Storage;

/// <summary>
/// An in-memory <see cref="IStorageMedium"/> that knows which bytes are durable and can crash, in the spirit of
/// FoundationDB's non-durable file model: every write or length change of a file stays pending until that file
/// is flushed, and every creation, deletion or rename stays pending until the directory is synced.
/// <see cref="Crash"/> keeps all durable state and then, from a seed, keeps, drops or tears (at 512 B or 4 KiB
/// sector granularity) each pending write, keeps or drops each pending length change, and keeps a random prefix of
/// the pending directory operations. Handles opened before a crash are dead afterwards.
/// </summary>
/// <remarks>
/// For crash-state enumeration, <see cref="StartRecording"/> snapshots the medium and records every later
/// operation; <see cref="CrashAfter"/> rebuilds the state after any prefix of that record and crashes it, leaving
/// this medium untouched. Not thread-safe, like every medium.
/// </remarks>
public sealed class SimulatedMedium : IStorageMedium
{
    private readonly Dictionary<int, Node> _nodes = [];
    private Dictionary<string, int> _entries = new(StringComparer.Ordinal);
    private Dictionary<string, int> _durableEntries = new(StringComparer.Ordinal);
    private readonly List<Operation> _pendingDirectory = [];
    private int _nextNodeId = 1;
    private int _generation;
    private SimulatedMedium? _baseline;
    private List<Operation>? _recording;

    /// <summary>Creates an empty medium.</summary>
    public SimulatedMedium(string location = "sim")
    {
        Location = location;
    }

    /// <inheritdoc/>
    public string Location { get; }

    /// <summary>How many crashes this medium has been through.</summary>
    public int CrashCount => _generation;

    /// <summary>When set, the total length of all files may not exceed this; writes past it fail with NoSpace.</summary>
    public long? CapacityBytes { get; set; }

    /// <summary>
    /// When set and returning true for (file name, offset, length), that write fails with <see cref="DaosError.IO"/>
    /// and changes nothing (an injected device error).
    /// </summary>
    public Func<string, long, int, bool>? FailWrite { get; set; }

    /// <summary>How many writes, length changes and flushes have reached this medium (a cheap progress counter).</summary>
    public long OperationCount { get; private set; }

    /// <summary>The operations recorded since <see cref="StartRecording"/>, in order.</summary>
    public IReadOnlyList<MediumEvent> Recorded =>
        _recording is null ? [] : _recording.ConvertAll(o => new MediumEvent(o.Kind.ToString(), o.Name, o.Offset, o.Length));

    /// <inheritdoc/>
    public IMediumFile OpenFile(string name, MediumOpenMode mode)
    {
        MediumNames.Validate(name);
        bool exists = _entries.TryGetValue(name, out int nodeId);
        if (exists && mode == MediumOpenMode.CreateNew)
        {
            throw new DaosException(DaosError.Exists, $"file '{name}' already exists on {Location}");
        }

        if (!exists)
        {
            if (mode == MediumOpenMode.OpenExisting)
            {
                throw new DaosException(DaosError.NonExistent, $"file '{name}' does not exist on {Location}");
            }

            nodeId = _nextNodeId++;
            Apply(new Operation(OperationKind.Create, name, nodeId, 0, 0, null));
        }

        return new SimulatedFile(this, name, nodeId, _generation);
    }

    /// <inheritdoc/>
    public bool FileExists(string name)
    {
        MediumNames.Validate(name);
        return _entries.ContainsKey(name);
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> ListFiles()
    {
        var names = new List<string>(_entries.Keys);
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <inheritdoc/>
    public void DeleteFile(string name)
    {
        MediumNames.Validate(name);
        if (_entries.ContainsKey(name))
        {
            Apply(new Operation(OperationKind.Delete, name, 0, 0, 0, null));
        }
    }

    /// <inheritdoc/>
    public void RenameFile(string source, string destination)
    {
        MediumNames.Validate(source);
        MediumNames.Validate(destination);
        if (!_entries.ContainsKey(source))
        {
            throw new DaosException(DaosError.NonExistent, $"cannot rename '{source}': it does not exist on {Location}");
        }

        Apply(new Operation(OperationKind.Rename, source, 0, 0, 0, null) { Destination = destination });
    }

    /// <inheritdoc/>
    public void SyncDirectory() => Apply(new Operation(OperationKind.SyncDirectory, "", 0, 0, 0, null));

    /// <summary>The bytes of a file as they would survive a crash with no pending write kept.</summary>
    public byte[] ReadDurable(string name)
    {
        Node node = _nodes[_entries[name]];
        return node.Durable.ToArray();
    }

    /// <summary>True when the file has writes or length changes not yet flushed.</summary>
    public bool HasPendingWrites(string name) => _nodes[_entries[name]].Pending.Count > 0;

    /// <summary>Flips one bit of a file, in both its current and durable images (silent media corruption).</summary>
    public void FlipBit(string name, long offset, int bit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(bit);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bit, 7);
        Node node = _nodes[_entries[name]];
        node.Current.FlipBit(offset, bit);
        node.Durable.FlipBit(offset, bit);
    }

    /// <summary>
    /// Simulates power loss: durable state survives; each pending write is kept, dropped or torn; each pending
    /// length change is kept or dropped; a random prefix of pending directory operations survives. All handles
    /// opened before become unusable.
    /// </summary>
    public void Crash(ulong seed)
    {
        var random = new DeterministicRandom(seed);
        int sectorBytes = random.Chance(0.5) ? 512 : 4096;
        foreach (Node node in _nodes.Values)
        {
            ByteImage image = node.Durable.Clone();
            foreach (Operation op in node.Pending)
            {
                int choice = random.Next(3);
                if (op.Kind == OperationKind.SetLength)
                {
                    if (choice != 1)
                    {
                        image.SetLength(op.Offset);
                    }

                    continue;
                }

                if (choice == 0)
                {
                    image.Write(op.Offset, op.Data);
                }
                else if (choice == 2)
                {
                    Tear(image, op, sectorBytes, random);
                }
            }

            node.Current = image;
            node.Durable = image.Clone();
            node.Pending.Clear();
        }

        var entries = new Dictionary<string, int>(_durableEntries, StringComparer.Ordinal);
        int kept = random.Next(_pendingDirectory.Count + 1);
        for (int i = 0; i < kept; i++)
        {
            ApplyDirectory(entries, _pendingDirectory[i]);
        }

        _entries = entries;
        _durableEntries = new Dictionary<string, int>(entries, StringComparer.Ordinal);
        _pendingDirectory.Clear();
        CollectUnreachable();
        _generation++;
        _recording = null;
        _baseline = null;
    }

    /// <summary>Snapshots the medium and starts recording every later operation, for <see cref="CrashAfter"/>.</summary>
    public void StartRecording()
    {
        _baseline = Clone();
        _recording = [];
    }

    /// <summary>
    /// A new medium holding the state after the first <paramref name="operationCount"/> recorded operations,
    /// crashed with <paramref name="seed"/>. This medium is not changed.
    /// </summary>
    public SimulatedMedium CrashAfter(int operationCount, ulong seed)
    {
        if (_recording is null || _baseline is null)
        {
            throw new InvalidOperationException("call StartRecording first");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(operationCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(operationCount, _recording.Count);
        SimulatedMedium copy = _baseline.Clone();
        for (int i = 0; i < operationCount; i++)
        {
            copy.Apply(_recording[i]);
        }

        copy.Crash(seed);
        return copy;
    }

    /// <summary>A deep copy of the whole medium, pending state included (recording is not copied).</summary>
    public SimulatedMedium Clone()
    {
        var copy = new SimulatedMedium(Location)
        {
            _nextNodeId = _nextNodeId,
            _generation = _generation,
            CapacityBytes = CapacityBytes,
            _entries = new Dictionary<string, int>(_entries, StringComparer.Ordinal),
            _durableEntries = new Dictionary<string, int>(_durableEntries, StringComparer.Ordinal),
        };
        copy._pendingDirectory.AddRange(_pendingDirectory);
        foreach ((int id, Node node) in _nodes)
        {
            copy._nodes[id] = node.Clone();
        }

        return copy;
    }

    private static void Tear(ByteImage image, Operation op, int sectorBytes, DeterministicRandom random)
    {
        long start = op.Offset;
        long end = op.Offset + op.Data!.Length;
        long sectorStart = start - (start % sectorBytes);
        for (long s = sectorStart; s < end; s += sectorBytes)
        {
            long from = Math.Max(s, start);
            long to = Math.Min(s + sectorBytes, end);
            if (random.Chance(0.5))
            {
                image.Write(from, op.Data.AsSpan((int)(from - start), (int)(to - from)));
            }
        }
    }

    private void Apply(Operation op)
    {
        _recording?.Add(op);
        switch (op.Kind)
        {
            case OperationKind.Create:
                _nodes[op.Node] = new Node();
                _nextNodeId = Math.Max(_nextNodeId, op.Node + 1);
                ApplyDirectory(_entries, op);
                _pendingDirectory.Add(op);
                break;
            case OperationKind.Delete:
            case OperationKind.Rename:
                ApplyDirectory(_entries, op);
                _pendingDirectory.Add(op);
                break;
            case OperationKind.SyncDirectory:
                _durableEntries = new Dictionary<string, int>(_entries, StringComparer.Ordinal);
                _pendingDirectory.Clear();
                break;
            case OperationKind.Write:
            {
                Node node = _nodes[op.Node];
                node.Current.Write(op.Offset, op.Data);
                node.Pending.Add(op);
                OperationCount++;
                break;
            }

            case OperationKind.SetLength:
            {
                Node node = _nodes[op.Node];
                node.Current.SetLength(op.Offset);
                node.Pending.Add(op);
                OperationCount++;
                break;
            }

            case OperationKind.Flush:
            {
                Node node = _nodes[op.Node];
                foreach (Operation pending in node.Pending)
                {
                    if (pending.Kind == OperationKind.Write)
                    {
                        node.Durable.Write(pending.Offset, pending.Data);
                    }
                    else
                    {
                        node.Durable.SetLength(pending.Offset);
                    }
                }

                node.Pending.Clear();
                OperationCount++;
                break;
            }
        }
    }

    private static void ApplyDirectory(Dictionary<string, int> entries, Operation op)
    {
        switch (op.Kind)
        {
            case OperationKind.Create:
                entries[op.Name] = op.Node;
                break;
            case OperationKind.Delete:
                entries.Remove(op.Name);
                break;
            case OperationKind.Rename:
                if (entries.Remove(op.Name, out int node))
                {
                    entries[op.Destination!] = node;
                }

                break;
        }
    }

    private void CollectUnreachable()
    {
        var live = new HashSet<int>(_entries.Values);
        live.UnionWith(_durableEntries.Values);
        foreach (Operation op in _pendingDirectory)
        {
            live.Add(op.Node);
        }

        foreach (int id in new List<int>(_nodes.Keys))
        {
            if (!live.Contains(id))
            {
                _nodes.Remove(id);
            }
        }
    }

    private long TotalLength()
    {
        long total = 0;
        foreach (Node node in _nodes.Values)
        {
            total += node.Current.Length;
        }

        return total;
    }

    private Node Live(SimulatedFile file)
    {
        ObjectDisposedException.ThrowIf(file.Disposed, file);
        if (file.Generation != _generation)
        {
            throw new DaosException(DaosError.IO,
                $"file '{file.Name}' on {Location} was opened before a crash; reopen it");
        }

        return _nodes[file.NodeId];
    }

    private void WriteFile(SimulatedFile file, long offset, ReadOnlySpan<byte> source)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        Node node = Live(file);
        if (FailWrite?.Invoke(file.Name, offset, source.Length) == true)
        {
            throw new DaosException(DaosError.IO, $"injected write error on '{file.Name}' at {offset}");
        }

        long growth = Math.Max(0, offset + source.Length - node.Current.Length);
        if (CapacityBytes is { } capacity && growth > 0 && TotalLength() + growth > capacity)
        {
            throw new DaosException(DaosError.NoSpace,
                $"write of {source.Length} bytes to '{file.Name}' at {offset} exceeds the medium's capacity of {capacity} bytes");
        }

        if (source.IsEmpty)
        {
            return;
        }

        Apply(new Operation(OperationKind.Write, file.Name, file.NodeId, offset, source.Length, source.ToArray()));
    }

    private void SetFileLength(SimulatedFile file, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Node node = Live(file);
        long growth = Math.Max(0, length - node.Current.Length);
        if (CapacityBytes is { } capacity && growth > 0 && TotalLength() + growth > capacity)
        {
            throw new DaosException(DaosError.NoSpace,
                $"extending '{file.Name}' to {length} bytes exceeds the medium's capacity of {capacity} bytes");
        }

        Apply(new Operation(OperationKind.SetLength, file.Name, file.NodeId, length, 0, null));
    }

    private void FlushFile(SimulatedFile file)
    {
        _ = Live(file);
        Apply(new Operation(OperationKind.Flush, file.Name, file.NodeId, 0, 0, null));
    }

    private enum OperationKind
    {
        Create,
        Delete,
        Rename,
        SyncDirectory,
        Write,
        SetLength,
        Flush,
    }

    private sealed record Operation(OperationKind Kind, string Name, int Node, long Offset, int Length, byte[]? Data)
    {
        public string? Destination { get; init; }
    }

    private sealed class Node
    {
        public ByteImage Current { get; set; } = new();

        public ByteImage Durable { get; set; } = new();

        public List<Operation> Pending { get; } = [];

        public Node Clone()
        {
            var copy = new Node { Current = Current.Clone(), Durable = Durable.Clone() };
            copy.Pending.AddRange(Pending);
            return copy;
        }
    }

    private sealed class SimulatedFile(SimulatedMedium medium, string name, int nodeId, int generation) : IMediumFile
    {
        public string Name { get; } = name;

        public int NodeId { get; } = nodeId;

        public int Generation { get; } = generation;

        public bool Disposed { get; private set; }

        public long Length => medium.Live(this).Current.Length;

        public int Read(long offset, Span<byte> destination)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(offset);
            return medium.Live(this).Current.Read(offset, destination);
        }

        public void Write(long offset, ReadOnlySpan<byte> source) => medium.WriteFile(this, offset, source);

        public ValueTask<int> ReadAsync(long offset, Memory<byte> destination, CancellationToken ct = default)
        {
            ct.ThrowIfCancellationRequested();
            return ValueTask.FromResult(Read(offset, destination.Span));
        }

        public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> source, CancellationToken ct = default)
        {
            ct.ThrowIfCancellationRequested();
            Write(offset, source.Span);
            return ValueTask.CompletedTask;
        }

        public void SetLength(long length) => medium.SetFileLength(this, length);

        public void Flush() => medium.FlushFile(this);

        public ValueTask FlushAsync(CancellationToken ct = default)
        {
            ct.ThrowIfCancellationRequested();
            Flush();
            return ValueTask.CompletedTask;
        }

        public void Dispose() => Disposed = true;
    }
}

/// <summary>One recorded operation of a <see cref="SimulatedMedium"/>.</summary>
/// <param name="Kind">Create, Delete, Rename, SyncDirectory, Write, SetLength or Flush.</param>
/// <param name="File">The file it concerns (empty for SyncDirectory).</param>
/// <param name="Offset">The write offset or the new length.</param>
/// <param name="Length">The write length.</param>
public readonly record struct MediumEvent(string Kind, string File, long Offset, int Length)
{
    /// <summary>True for a durability point: a file flush or a directory sync.</summary>
    public bool IsDurabilityPoint => Kind is "Flush" or "SyncDirectory";
}
