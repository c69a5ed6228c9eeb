namespace Daos.Engine.Rdb;

/// <summary>
/// The address of a key-value store: the keys leading to it from the root store, each naming a child store in its
/// parent. <see cref="Root"/> (no keys) is the root store, which always exists. Immutable.
/// </summary>
public sealed class RdbPath
{
    private readonly byte[][] _keys;

    private RdbPath(byte[][] keys) => _keys = keys;

    /// <summary>The root store.</summary>
    public static RdbPath Root { get; } = new([]);

    /// <summary>The keys from the root, outermost first.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Keys => _keys.Select(k => (ReadOnlyMemory<byte>)k).ToArray();

    /// <summary>Number of keys (0 for the root).</summary>
    public int Depth => _keys.Length;

    internal byte[] this[int level] => _keys[level];

    /// <summary>The path of the child store named <paramref name="key"/> in this one.</summary>
    public RdbPath Append(ReadOnlySpan<byte> key)
    {
        var keys = new byte[_keys.Length + 1][];
        _keys.CopyTo(keys, 0);
        keys[^1] = key.ToArray();
        return new RdbPath(keys);
    }

    /// <summary>The path of the child store named by the UTF-8 bytes of <paramref name="key"/>.</summary>
    public RdbPath Append(string key) => Append(System.Text.Encoding.UTF8.GetBytes(key));

    internal static RdbPath FromKeys(byte[][] keys) => keys.Length == 0 ? Root : new RdbPath(keys);

    /// <inheritdoc/>
    public override string ToString() => "/" + string.Join("/", _keys.Select(Convert.ToHexString));
}
