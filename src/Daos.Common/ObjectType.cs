namespace Daos;

/// <summary>
/// The type of an object, stored in bits 56..63 of <see cref="ObjectId.Hi"/> with DAOS's <c>DAOS_OT_*</c> values.
/// The type fixes how dkeys and akeys are ordered (by hash, as unsigned 64-bit integers or lexically) and, for
/// the key-value and array types, the shape of values.
/// </summary>
public enum ObjectType
{
    /// <summary>Dkeys and akeys ordered by hash; single values or arrays under any akey (<c>DAOS_OT_MULTI_HASHED</c>).</summary>
    MultiHashed = 0,
    /// <summary>Dkeys are little-endian 64-bit unsigned integers, ordered numerically (<c>DAOS_OT_DKEY_UINT64</c>).</summary>
    DkeyUInt64 = 2,
    /// <summary>Akeys are 64-bit unsigned integers (<c>DAOS_OT_AKEY_UINT64</c>).</summary>
    AkeyUInt64 = 3,
    /// <summary>Both dkeys and akeys are 64-bit unsigned integers (<c>DAOS_OT_MULTI_UINT64</c>).</summary>
    MultiUInt64 = 4,
    /// <summary>Dkeys ordered lexically (<c>DAOS_OT_DKEY_LEXICAL</c>).</summary>
    DkeyLexical = 5,
    /// <summary>Akeys ordered lexically (<c>DAOS_OT_AKEY_LEXICAL</c>).</summary>
    AkeyLexical = 6,
    /// <summary>Dkeys and akeys ordered lexically (<c>DAOS_OT_MULTI_LEXICAL</c>).</summary>
    MultiLexical = 7,
    /// <summary>Flat key-value object with hashed keys (<c>DAOS_OT_KV_HASHED</c>).</summary>
    KeyValue = 8,
    /// <summary>Flat key-value object with 64-bit integer keys (<c>DAOS_OT_KV_UINT64</c>).</summary>
    KeyValueUInt64 = 9,
    /// <summary>Flat key-value object with lexical keys (<c>DAOS_OT_KV_LEXICAL</c>).</summary>
    KeyValueLexical = 10,
    /// <summary>Array object, metadata stored in the object (<c>DAOS_OT_ARRAY</c>).</summary>
    Array = 11,
    /// <summary>Array object whose attributes live in the object id (<c>DAOS_OT_ARRAY_ATTR</c>).</summary>
    ArrayAttribute = 12,
    /// <summary>Byte array with cell size 1 (<c>DAOS_OT_ARRAY_BYTE</c>).</summary>
    ByteArray = 13,
}

/// <summary>Questions about an <see cref="ObjectType"/> that layers above ask.</summary>
public static class ObjectTypeExtensions
{
    /// <summary>True when <paramref name="type"/> is one of the values DAOS defines for applications.</summary>
    public static bool IsDefined(this ObjectType type) => type is ObjectType.MultiHashed
        or (>= ObjectType.DkeyUInt64 and <= ObjectType.ByteArray);

    /// <summary>True when dkeys are 64-bit unsigned integers compared numerically.</summary>
    public static bool HasUInt64Dkeys(this ObjectType type) => type is ObjectType.DkeyUInt64 or ObjectType.MultiUInt64
        or ObjectType.KeyValueUInt64 or ObjectType.Array or ObjectType.ArrayAttribute or ObjectType.ByteArray;

    /// <summary>True when akeys are 64-bit unsigned integers compared numerically.</summary>
    public static bool HasUInt64Akeys(this ObjectType type) => type is ObjectType.AkeyUInt64 or ObjectType.MultiUInt64;

    /// <summary>True when dkeys are ordered lexically (byte-wise).</summary>
    public static bool HasLexicalDkeys(this ObjectType type) => type is ObjectType.DkeyLexical or ObjectType.MultiLexical
        or ObjectType.KeyValueLexical;

    /// <summary>True when akeys are ordered lexically (byte-wise).</summary>
    public static bool HasLexicalAkeys(this ObjectType type) => type is ObjectType.AkeyLexical or ObjectType.MultiLexical;

    /// <summary>True for the array types (DAOS auto-selects EC classes for these).</summary>
    public static bool IsArray(this ObjectType type) => type is ObjectType.Array or ObjectType.ArrayAttribute
        or ObjectType.ByteArray;
}
