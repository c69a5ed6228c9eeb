using System.Buffers;
using System.Buffers.Binary;
using Daos.Protocol;
using Daos.Protocol.Management;
using Daos.Storage;

namespace Daos.Engine.Engine;

/// <summary>
/// The pools this engine holds shards of, persisted in the engine root as <c>engine.pools</c> so a restarted engine
/// reopens them. Each entry is the <see cref="PoolShardCreateRequest"/> the pool was created with. Beside them it keeps
/// the fences: per pool uuid (held or not: a destroyed pool's fence must outlive it) the highest management fencing
/// token a shard create or destroy has carried; a create or destroy with a lower one comes from a deposed management
/// leader and is refused. Format (v2): magic "DPRG" (u32 LE 0x47525044), version u8 = 2, count u32, then per pool a
/// u32 length and the encoded request, then a fence count u32 and per fence the pool uuid (16 bytes) and the token
/// (u64), then CRC-64 (u64 LE) of everything before it. Version 1 (no fences) is still read. Rewritten whole into
/// <c>engine.pools.tmp</c>, flushed, renamed over the old file and the directory synced, so a crash leaves the old or
/// the new registry, never a mixture; a fence and the shard change it admits are written in the same rewrite.
/// </summary>
internal sealed class LocalPoolRegistry
{
    public const uint Magic = 0x47525044;
    public const byte FormatVersion = 2;

    /// <summary>The oldest format still read (version 1 has no fences).</summary>
    public const byte FormatVersionMin = 1;
    private const string FileName = "engine.pools";
    private const string TemporaryName = "engine.pools.tmp";
    private readonly IStorageMedium _medium;
    private readonly Dictionary<Guid, PoolShardCreateRequest> _pools = [];
    private readonly Dictionary<Guid, ulong> _fences = [];
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

        (List<PoolShardCreateRequest> pools, Dictionary<Guid, ulong> fences) = Decode(bytes);
        foreach (PoolShardCreateRequest pool in pools)
        {
            registry._pools[pool.Uuid] = pool;
        }

        foreach ((Guid uuid, ulong token) in fences)
        {
            registry._fences[uuid] = token;
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

    /// <summary>The highest fencing token seen for <paramref name="uuid"/>, 0 when none.</summary>
    public ulong FenceOf(Guid uuid)
    {
        lock (_gate)
        {
            return _fences.TryGetValue(uuid, out ulong token) ? token : 0;
        }
    }

    /// <summary>
    /// Refuses a shard create or destroy of <paramref name="uuid"/> whose <paramref name="token"/> is below the
    /// highest seen for the pool: it was sent by a management leader that has been deposed since its successor
    /// (a higher term) acted on the pool. Returns true when the token raises the fence (to be saved with the change).
    /// </summary>
    /// <exception cref="NotLeaderException">The token is older than the fence.</exception>
    public bool Admit(Guid uuid, ulong token)
    {
        lock (_gate)
        {
            ulong seen = _fences.TryGetValue(uuid, out ulong held) ? held : 0;
            if (token < seen)
            {
                throw new NotLeaderException(
                    $"pool {uuid}: a management request of term {token} arrived after one of term {seen}; its sender no longer leads", -1);
            }

            return token > seen;
        }
    }

    /// <summary>Records <paramref name="pool"/> (and raises its fence to <paramref name="fence"/>) in one durable rewrite.</summary>
    public void Add(PoolShardCreateRequest pool, ulong fence = 0)
    {
        lock (_gate)
        {
            _pools[pool.Uuid] = pool;
            Raise(pool.Uuid, fence);
            Save();
        }
    }

    /// <summary>Forgets the pool (and raises its fence to <paramref name="fence"/>) in one durable rewrite; nothing to do is not written.</summary>
    public void Remove(Guid uuid, ulong fence = 0)
    {
        lock (_gate)
        {
            bool raised = Raise(uuid, fence);
            if (_pools.Remove(uuid) || raised)
            {
                Save();
            }
        }
    }

    private bool Raise(Guid uuid, ulong fence)
    {
        if (fence == 0 || (_fences.TryGetValue(uuid, out ulong held) && held >= fence))
        {
            return false;
        }

        _fences[uuid] = fence;
        return true;
    }

    internal static byte[] Encode(IReadOnlyCollection<PoolShardCreateRequest> pools) => Encode(pools, new Dictionary<Guid, ulong>());

    internal static byte[] Encode(IReadOnlyCollection<PoolShardCreateRequest> pools, IReadOnlyDictionary<Guid, ulong> fences)
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

        writer.WriteCount(fences.Count);
        foreach ((Guid uuid, ulong token) in fences)
        {
            writer.WriteGuid(uuid);
            writer.WriteUInt64(token);
        }

        writer.WriteUInt64(Crc64.Compute(output.WrittenSpan));
        return output.WrittenSpan.ToArray();
    }

    internal static (List<PoolShardCreateRequest> Pools, Dictionary<Guid, ulong> Fences) Decode(byte[] bytes)
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
        if (version is < FormatVersionMin or > FormatVersion)
        {
            throw new DaosException(DaosError.DurableFormatIncompatible, $"{FileName} format version {version} is not {FormatVersionMin}..{FormatVersion}");
        }

        try
        {
            int count = reader.ReadCount(1 << 20, 4);
            var pools = new List<PoolShardCreateRequest>(count);
            for (int i = 0; i < count; i++)
            {
                pools.Add(ProtocolCodec.Decode<PoolShardCreateRequest>(reader.ReadBytes(1 << 24)));
            }

            var fences = new Dictionary<Guid, ulong>();
            if (version >= 2)
            {
                int fenceCount = reader.ReadCount(1 << 24, 16 + 8);
                for (int i = 0; i < fenceCount; i++)
                {
                    Guid uuid = reader.ReadGuid();
                    if (!fences.TryAdd(uuid, reader.ReadUInt64()))
                    {
                        throw new DaosException(DaosError.Protocol, $"pool {uuid} is fenced twice");
                    }
                }
            }

            reader.EnsureEnd();
            return (pools, fences);
        }
        catch (DaosException e) when (e.Error == DaosError.Protocol)
        {
            throw new DaosException(DaosError.Corrupted, $"{FileName} is malformed: {e.Message}", e);
        }
    }

    private void Save()
    {
        byte[] bytes = Encode(_pools.Values, _fences);
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
