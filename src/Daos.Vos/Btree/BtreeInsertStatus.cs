namespace Daos.Vos.Btree;

/// <summary>What an insert did.</summary>
internal enum BtreeInsertStatus
{
    /// <summary>The key was not there; it is now.</summary>
    Inserted,

    /// <summary>The key was there and its value was replaced.</summary>
    Updated,

    /// <summary>The key was there and the insert was insert-only: nothing changed.</summary>
    Exists,
}
