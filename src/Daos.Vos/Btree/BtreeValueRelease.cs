using Daos.Vos.Umem;

namespace Daos.Vos.Btree;

/// <summary>
/// Called by <see cref="BplusTree.DestroySlice"/> for every record it drops, inside the same transaction, so the caller
/// can free what the value points to. A static method with <paramref name="state"/> avoids a closure per call.
/// </summary>
internal delegate void BtreeValueRelease(UmemTransaction tx, ReadOnlySpan<byte> value, object? state);
