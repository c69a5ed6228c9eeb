using System.Buffers;
using System.Buffers.Binary;
using Daos.Protocol;
using Daos.Protocol.Management;
using Daos.Storage;

namespace Daos.Engine.Engine;

/// <summary>
/// The pools this engine holds shards of, persisted in the engine root as <c>engine.pools</c> so a restarted engine
/// reopens them. Each entry is the <see cref="PoolShardCreateRequest"/> the pool was created with. Format (v1):
/// magic "DPRG" (u32 LE 0x47525044), version u8 = 1, count u32, then per pool a u32 length and the encoded request,
/// then CRC-64 (u64 LE) of everything before it. Rewritten whole into <c>engine.pools.tmp</c>, flushed, renamed over
/// the old file and the directory synced, so a crash leaves the old or the new registry, never a mixture.
/// </summary>
internal sealed class LocalPoolRegistry
{
    public const uint Magic = 0x47525044;
    public const byte FormatVersion = 1;
    private const string FileName = "engine.pools";
    private const string TemporaryName = "engine.pools.tmp";
    private readonly IStorageMedium _medium;
    private readonly Dictionary<Guid, PoolShardCreateRequest> _pools = [];
    private readonly Lock _gate = new();

    private LocalPoolRegistry(IStorageMedium medium) => _medium = medium;

    public static LocalPoolRegistry Open(IStorageMedium medium)
    {
        var registry = new LocalPoolRegistry(medium);
        if (!medium.FileExists(FileName))
        {
            return registry;
        }

        byte[] bytes;
        using (IMediumFile file = medium.OpenFile(FileName, MediumOpenMode.OpenExisting))
        {
            if (file.Length > 64L << 20)
            {
                throw new DaosException(DaosError.Corrupted, $"{FileName} is {file.Length} bytes, over its 64 MiB limit");
            }

            bytes = new byte[file.Length];
            int read = file.Read(0, bytes);
            if (read != bytes.Length)
            {
                throw new DaosException(DaosError.Corrupted, $"{FileName} read {read} of {bytes.Length} bytes");
            }
        }

        foreach (PoolShardCreateRequest pool in Decode(bytes))
        {
            registry._pools[pool.Uuid] = pool;
        }

        return registry;
    }

    public IReadOnlyList<PoolShardCreateRequest> Pools
    {
        get
        {
            lock (_gate)
            {
                return [.. _pools.Values];
            }
        }
    }

    public void Add(PoolShardCreateRequest pool)
    {
        lock (_gate)
        {
            _pools[pool.Uuid] = pool;
            Save();
        }
    }

    public void Remove(Guid uuid)
    {
        lock (_gate)
        {
            if (_pools.Remove(uuid))
            {
                Save();
            }
        }
    }

    internal static byte[] Encode(IReadOnlyCollection<PoolShardCreateRequest> pools)
    {
        var output = new ArrayBufferWriter<byte>(1024);
        var writer = new ProtocolWriter(output);
        writer.WriteUInt32(Magic);
        writer.WriteUInt8(FormatVersion);
        writer.WriteCount(pools.Count);
        foreach (PoolShardCreateRequest pool in pools)
        {
            writer.WriteBytes(ProtocolCodec.EncodeToArray(pool));
        }

        writer.WriteUInt64(Crc64.Compute(output.WrittenSpan));
        return output.WrittenSpan.ToArray();
    }

    internal static List<PoolShardCreateRequest> Decode(byte[] bytes)
    {
        if (bytes.Length < 4 + 1 + 4 + 8)
        {
            throw new DaosException(DaosError.Corrupted, $"{FileName} is truncated");
        }

        ulong stored = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(bytes.Length - 8));
        if (Crc64.Compute(bytes.AsSpan(0, bytes.Length - 8)) != stored)
        {
            throw new DaosException(DaosError.Corrupted, $"{FileName} fails its checksum");
        }

        var reader = new ProtocolReader(bytes.AsMemory(0, bytes.Length - 8));
        if (reader.ReadUInt32() != Magic)
        {
            throw new DaosException(DaosError.DurableFormatInvalid, $"{FileName} has the wrong magic number");
        }

        byte version = reader.ReadUInt8();
        if (version != FormatVersion)
        {
            throw new DaosException(DaosError.DurableFormatIncompatible, $"{FileName} format version {version} is not {FormatVersion}");
        }

        try
        {
            int count = reader.ReadCount(1 << 20, 4);
            var pools = new List<PoolShardCreateRequest>(count);
            for (int i = 0; i < count; i++)
            {
                pools.Add(ProtocolCodec.Decode<PoolShardCreateRequest>(reader.ReadBytes(1 << 24)));
            }

            reader.EnsureEnd();
            return pools;
        }
        catch (DaosException e) when (e.Error == DaosError.Protocol)
        {
            throw new DaosException(DaosError.Corrupted, $"{FileName} is malformed: {e.Message}", e);
        }
    }

    private void Save()
    {
        byte[] bytes = Encode(_pools.Values);
        _medium.DeleteFile(TemporaryName);
        using (IMediumFile file = _medium.OpenFile(TemporaryName, MediumOpenMode.CreateNew))
        {
            file.Write(0, bytes);
            file.Flush();
        }

        _medium.RenameFile(TemporaryName, FileName);
        _medium.SyncDirectory();
    }
}
