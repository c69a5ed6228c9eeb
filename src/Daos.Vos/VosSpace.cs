namespace Daos.Vos;

/// <summary>Space of one pool: the metadata heap and the blob store, total and used, in bytes.</summary>
/// <param name="HeapTotalBytes">Allocatable bytes of the heap.</param>
/// <param name="HeapUsedBytes">Heap bytes allocated.</param>
/// <param name="BlobTotalBytes">Bytes of the blob store.</param>
/// <param name="BlobUsedBytes">Blob bytes allocated (published or reserved).</param>
public readonly record struct VosSpace(long HeapTotalBytes, long HeapUsedBytes, long BlobTotalBytes, long BlobUsedBytes)
{
    /// <summary>Heap bytes still free.</summary>
    public long HeapFreeBytes => HeapTotalBytes - HeapUsedBytes;

    /// <summary>Blob bytes still free.</summary>
    public long BlobFreeBytes => BlobTotalBytes - BlobUsedBytes;
}
