namespace Daos.Engine.Rdb;

/// <summary>What one transaction operation does.</summary>
internal enum RdbOperationKind : byte
{
    CreateKvs = 1,
    DestroyKvs = 2,
    Update = 3,
    Delete = 4,
}

/// <summary>One operation of an <see cref="RdbTransaction"/>.</summary>
internal sealed record RdbOperation(RdbOperationKind Kind, RdbKvsClass KvsClass, RdbPath Path, byte[] Key, byte[] Value)
{
    public int EncodedSizeBytes
    {
        get
        {
            int size = 3 + 4 + Key.Length + 4 + Value.Length;
            for (int level = 0; level < Path.Depth; level++)
            {
                size += 4 + Path[level].Length;
            }

            return size;
        }
    }
}
