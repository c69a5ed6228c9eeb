using Daos.Client.Objects;

namespace Daos.Client;

/// <summary>
/// A flat key-value object, as DAOS's <c>daos_kv</c>: the user key is the dkey, the akey is the one byte <c>'0'</c>, and
/// the value is a single value (DAOS <c>src/client/kv/dc_kv.c</c>). Keys spread over the object's shards by dkey hash.
/// </summary>
/// <remarks>Thread-safe; calls fail with <see cref="DaosError.NoHandle"/> once the container handle is closed.</remarks>
public sealed class DaosKeyValue
{
    private static readonly ReadOnlyMemory<byte> ValueAkey = new[] { (byte)'0' };
    private readonly DaosObject _object;

    internal DaosKeyValue(IObjectDataPath path, ObjectId id) => _object = new DaosObject(path, id);

    /// <summary>The object id.</summary>
    public ObjectId Id => _object.Id;

    /// <summary>Sets the value of <paramref name="key"/>.</summary>
    public ValueTask PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, WriteOptions? options = null, CancellationToken ct = default) =>
        _object.PutAsync(key, ValueAkey, value, options, ct);

    /// <summary>Sets the value of a UTF-8 key.</summary>
    public ValueTask PutAsync(string key, ReadOnlyMemory<byte> value, WriteOptions? options = null, CancellationToken ct = default) =>
        PutAsync(IoDescriptor.Utf8(key), value, options, ct);

    /// <summary>The value of <paramref name="key"/>, or null when absent.</summary>
    public ValueTask<byte[]?> GetAsync(ReadOnlyMemory<byte> key, ReadOptions? options = null, CancellationToken ct = default) =>
        _object.GetAsync(key, ValueAkey, options, ct);

    /// <summary>The value of a UTF-8 key, or null when absent.</summary>
    public ValueTask<byte[]?> GetAsync(string key, ReadOptions? options = null, CancellationToken ct = default) =>
        GetAsync(IoDescriptor.Utf8(key), options, ct);

    /// <summary>Removes <paramref name="key"/> (punches its dkey); removing an absent key succeeds.</summary>
    public ValueTask RemoveAsync(ReadOnlyMemory<byte> key, WriteOptions? options = null, CancellationToken ct = default) =>
        _object.PunchDkeyAsync(key, options, ct);

    /// <summary>Removes a UTF-8 key.</summary>
    public ValueTask RemoveAsync(string key, WriteOptions? options = null, CancellationToken ct = default) =>
        RemoveAsync(IoDescriptor.Utf8(key), options, ct);

    /// <summary>Lists the keys present.</summary>
    public IAsyncEnumerable<byte[]> ListKeysAsync(ReadOptions? options = null, CancellationToken ct = default) =>
        _object.ListDkeysAsync(options, ct);

    /// <inheritdoc/>
    public override string ToString() => $"key-value {Id}";
}
