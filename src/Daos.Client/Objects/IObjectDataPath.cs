namespace Daos.Client.Objects;

/// <summary>
/// The object operations a container handle can carry out: where they go (layout, target, retries) is the
/// implementation's business; the object, key-value and array types above it only shape keys and values.
/// </summary>
/// <remarks>
/// The engine implementation is the wire data path; tests substitute a naive in-memory model to
/// check the key-value and array mappings against it. Implementations are thread-safe: many operations may be in
/// flight at once.
/// </remarks>
internal interface IObjectDataPath
{
    /// <summary>Client settings: key and value limits, request size, window.</summary>
    DaosClientOptions Options { get; }

    ValueTask UpdateAsync(ObjectId oid, ReadOnlyMemory<byte> dkey, IReadOnlyList<IoDescriptor> iods, WriteCondition condition, CancellationToken ct);

    ValueTask<IReadOnlyList<IoResult>> FetchAsync(ObjectId oid, ReadOnlyMemory<byte> dkey, IReadOnlyList<IoDescriptor> iods, Epoch epoch, CancellationToken ct);

    ValueTask PunchObjectAsync(ObjectId oid, CancellationToken ct);

    ValueTask PunchDkeyAsync(ObjectId oid, ReadOnlyMemory<byte> dkey, CancellationToken ct);

    ValueTask PunchAkeyAsync(ObjectId oid, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey, CancellationToken ct);

    ValueTask PunchExtentsAsync(ObjectId oid, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey, Extent records, CancellationToken ct);

    IAsyncEnumerable<byte[]> ListDkeysAsync(ObjectId oid, Epoch epoch, CancellationToken ct);

    IAsyncEnumerable<byte[]> ListAkeysAsync(ObjectId oid, ReadOnlyMemory<byte> dkey, Epoch epoch, CancellationToken ct);

    IAsyncEnumerable<Extent> ListExtentsAsync(ObjectId oid, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey, Epoch epoch, CancellationToken ct);

    ValueTask<long?> QueryMaxIndexAsync(ObjectId oid, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey, Epoch epoch, CancellationToken ct);
}
