namespace Daos.Engine.Rdb;

/// <summary>One key of a store seen by iteration: a value, or a child store (<see cref="IsKvs"/>, no value).</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">The value (empty for a child store).</param>
/// <param name="IsKvs">True when the key names a child store.</param>
public readonly record struct RdbEntry(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte> Value, bool IsKvs);
