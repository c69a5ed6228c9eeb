namespace Daos.Engine.Rdb;

/// <summary>How a key-value store orders its keys (DAOS rdb's KVS classes).</summary>
public enum RdbKvsClass : byte
{
    /// <summary>Any byte-string key; iteration order is unspecified (ordinal today, but callers must not rely on it).</summary>
    Generic = 1,

    /// <summary>Any byte-string key; iteration in lexical (unsigned byte-wise) order.</summary>
    Lexical = 2,

    /// <summary>Keys are 8-byte little-endian unsigned integers; iteration in numeric order.</summary>
    Integer = 3,
}
