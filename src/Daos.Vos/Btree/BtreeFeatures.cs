namespace Daos.Vos.Btree;

/// <summary>Per-tree options fixed at creation and kept in the tree's root.</summary>
[Flags]
internal enum BtreeFeatures : byte
{
    /// <summary>A plain B+tree.</summary>
    None = 0,

    /// <summary>
    /// An empty tree keeps its first record in the root itself; the first node is allocated by the second insert.
    /// Pays where most trees hold one record (an akey's single-value versions, a dkey's one akey).
    /// </summary>
    EmbedFirst = 1,

    /// <summary>
    /// Interval tree: the first 8 bytes of every value are an exclusive end (u64) and every internal entry keeps the
    /// largest end below it, so a search for entries overlapping [a, b) skips subtrees ending at or before a. The
    /// key's first word is the start. Requires a fixed-size key class and values of at least 8 bytes.
    /// </summary>
    MaxEnd = 2,
}
