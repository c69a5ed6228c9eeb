using System.Runtime.CompilerServices;
using Daos.Client.Objects;
using Daos.Placement;
using Daos.Protocol;
using Daos.Protocol.Objects;
using Daos.Transport;

namespace Daos.Client.Wire;

/// <summary>
/// Object I/O of one container handle, sent straight to targets: the layout comes from the pool map held by the
/// pool handle's <see cref="ObjectRouter"/>, the dkey picks the shard, the shard names the rank and target index.
/// A Stale answer carries the newer map: the router adopts it and the operation is retried (bounded); an unreachable
/// rank makes the client re-read the membership before retrying.
/// </summary>
/// <remarks>Thread-safe; any number of operations may be in flight.</remarks>
internal sealed class WireObjectDataPath : IObjectDataPath
{
    private const int ListPageSize = 1024;
    private static readonly Epoch ServerEpoch = Epoch.Zero;

    private readonly ClientRuntime _runtime;
    private readonly ObjectRouter _router;
    private readonly Guid _pool;
    private readonly Guid _container;
    private readonly Guid _handle;
    private readonly Func<bool> _isOpen;
    private ulong _highestEpoch;

    public WireObjectDataPath(ClientRuntime runtime, ObjectRouter router, Guid pool, Guid container, Guid handle, Func<bool> isOpen)
    {
        _runtime = runtime;
        _router = router;
        _pool = pool;
        _container = container;
        _handle = handle;
        _isOpen = isOpen;
    }

    public DaosClientOptions Options => _runtime.Options;

    /// <summary>The highest epoch a target stamped on a write of this handle (zero before any).</summary>
    public Epoch HighestAcknowledgedEpoch => new(Volatile.Read(ref _highestEpoch));

    public async ValueTask UpdateAsync(ObjectId oid, ReadOnlyMemory<byte> dkey, IReadOnlyList<IoDescriptor> iods, WriteCondition condition, CancellationToken ct)
    {
        var updates = new IodUpdate[iods.Count];
        for (int i = 0; i < updates.Length; i++)
        {
            IoDescriptor iod = iods[i];
            updates[i] = iod.Kind == IoKind.Single
                ? new IodUpdate(iod.Akey, IodKind.Single, 0, 0, iod.Data)
                : new IodUpdate(iod.Akey, IodKind.Array, iod.RecordSize, iod.Index, iod.Data);
        }

        Acknowledge(await ShardCallAsync<ObjectUpdateRequest, EpochReply>(oid, dkey, ProtocolOpcodes.ObjectUpdate,
            (address, _) => new ObjectUpdateRequest(address, ServerEpoch, (UpdateCondition)condition, dkey, updates), ct));
    }

    public async ValueTask<IReadOnlyList<IoResult>> FetchAsync(ObjectId oid, ReadOnlyMemory<byte> dkey, IReadOnlyList<IoDescriptor> iods, Epoch epoch, CancellationToken ct)
    {
        var fetches = new IodFetch[iods.Count];
        for (int i = 0; i < fetches.Length; i++)
        {
            IoDescriptor iod = iods[i];
            fetches[i] = iod.Kind == IoKind.Single
                ? new IodFetch(iod.Akey, IodKind.Single, 0, 0, 0)
                : new IodFetch(iod.Akey, IodKind.Array, iod.RecordSize, iod.Index, iod.Count);
        }

        CheckOpen();
        return await _runtime.Retry.RunAsync(
            (Self: this, Oid: oid, Dkey: dkey, Epoch: epoch, Fetches: fetches, Iods: iods),
            static async (s, token) =>
            {
                s.Self.CheckOpen();
                ShardAddress shard = s.Self._router.Route(s.Oid, s.Dkey.Span);
                TransportAddress address = await s.Self._runtime.AddressOfAsync(shard.Rank, token);
                return await s.Self._runtime.CallAsync<ObjectFetchRequest, ObjectFetchReply, IReadOnlyList<IoDescriptor>, IReadOnlyList<IoResult>>(
                    address, ProtocolOpcodes.ObjectFetch, (uint)shard.TargetIndex, new ObjectFetchRequest(s.Self.AddressFor(s.Oid, shard), s.Epoch, s.Dkey, s.Fetches),
                    s.Iods, OwnResults, token);
            },
            static (s, error, token) => s.Self.RecoverAsync(error, token),
            ct);
    }

    /// <summary>Copies each value out of a fetch reply that still points into the pooled response body.</summary>
    private static IReadOnlyList<IoResult> OwnResults(ObjectFetchReply reply, IReadOnlyList<IoDescriptor> iods)
    {
        if (reply.Results.Count != iods.Count)
        {
            ThrowHelper.Throw(DaosError.Protocol, $"fetch of {iods.Count} akeys answered with {reply.Results.Count} results");
        }

        var results = new IoResult[iods.Count];
        for (int i = 0; i < results.Length; i++)
        {
            IoDescriptor iod = iods[i];
            IodResult r = reply.Results[i];
            if (iod.Kind == IoKind.Single)
            {
                results[i] = new IoResult(iod.Akey, IoKind.Single, r.Exists ? r.Data.ToArray() : null, r.Data.Length, []);
            }
            else
            {
                if (r.Data.Length > iod.Count * iod.RecordSize)
                {
                    ThrowHelper.Throw(DaosError.Protocol, $"fetch of {iod.Count} records answered with {r.Data.Length} bytes");
                }

                results[i] = new IoResult(iod.Akey, IoKind.Array, r.Data.ToArray(), r.Data.Length, r.Holes);
            }
        }

        return results;
    }

    public ValueTask PunchObjectAsync(ObjectId oid, CancellationToken ct) => PunchEveryShardAsync(oid, ct);

    public async ValueTask PunchDkeyAsync(ObjectId oid, ReadOnlyMemory<byte> dkey, CancellationToken ct) =>
        Acknowledge(await ShardCallAsync<ObjectPunchRequest, EpochReply>(oid, dkey, ProtocolOpcodes.ObjectPunch,
            (address, _) => new ObjectPunchRequest(address, ServerEpoch, PunchKind.Dkey, dkey, ReadOnlyMemory<byte>.Empty, default), ct));

    public async ValueTask PunchAkeyAsync(ObjectId oid, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey, CancellationToken ct) =>
        Acknowledge(await ShardCallAsync<ObjectPunchRequest, EpochReply>(oid, dkey, ProtocolOpcodes.ObjectPunch,
            (address, _) => new ObjectPunchRequest(address, ServerEpoch, PunchKind.Akey, dkey, akey, default), ct));

    public async ValueTask PunchExtentsAsync(ObjectId oid, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey, Extent records, CancellationToken ct) =>
        Acknowledge(await ShardCallAsync<ObjectPunchRequest, EpochReply>(oid, dkey, ProtocolOpcodes.ObjectPunch,
            (address, _) => new ObjectPunchRequest(address, ServerEpoch, PunchKind.Extents, dkey, akey, records), ct));

    public async IAsyncEnumerable<byte[]> ListDkeysAsync(ObjectId oid, Epoch epoch, [EnumeratorCancellation] CancellationToken ct)
    {
        CheckOpen();
        int shards = _router.AllShards(oid).Count;
        for (int shard = 0; shard < shards; shard++)
        {
            ReadOnlyMemory<byte> after = ReadOnlyMemory<byte>.Empty;
            while (true)
            {
                ReadOnlyMemory<byte> resume = after;
                ObjectListReply page = await ShardIndexCallAsync<ObjectListRequest, ObjectListReply>(oid, shard, ProtocolOpcodes.ObjectList,
                    address => new ObjectListRequest(address, epoch, ListKind.Dkeys, ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, resume, 0, ListPageSize), ct);
                foreach (ReadOnlyMemory<byte> key in page.Keys)
                {
                    yield return key.ToArray();
                }

                if (page.Complete || page.Keys.Count == 0)
                {
                    break;
                }

                after = page.Keys[^1];
            }
        }
    }

    public async IAsyncEnumerable<byte[]> ListAkeysAsync(ObjectId oid, ReadOnlyMemory<byte> dkey, Epoch epoch, [EnumeratorCancellation] CancellationToken ct)
    {
        ReadOnlyMemory<byte> after = ReadOnlyMemory<byte>.Empty;
        while (true)
        {
            ReadOnlyMemory<byte> resume = after;
            ObjectListReply page = await ShardCallAsync<ObjectListRequest, ObjectListReply>(oid, dkey, ProtocolOpcodes.ObjectList,
                (address, _) => new ObjectListRequest(address, epoch, ListKind.Akeys, dkey, ReadOnlyMemory<byte>.Empty, resume, 0, ListPageSize), ct);
            foreach (ReadOnlyMemory<byte> key in page.Keys)
            {
                yield return key.ToArray();
            }

            if (page.Complete || page.Keys.Count == 0)
            {
                yield break;
            }

            after = page.Keys[^1];
        }
    }

    public async IAsyncEnumerable<Extent> ListExtentsAsync(ObjectId oid, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey, Epoch epoch, [EnumeratorCancellation] CancellationToken ct)
    {
        long from = 0;
        while (true)
        {
            long resume = from;
            ObjectListReply page = await ShardCallAsync<ObjectListRequest, ObjectListReply>(oid, dkey, ProtocolOpcodes.ObjectList,
                (address, _) => new ObjectListRequest(address, epoch, ListKind.Extents, dkey, akey, ReadOnlyMemory<byte>.Empty, resume, ListPageSize), ct);
            foreach (Extent extent in page.Extents)
            {
                yield return extent;
            }

            if (page.Complete || page.Extents.Count == 0)
            {
                yield break;
            }

            from = page.Extents[^1].End;
        }
    }

    public async ValueTask<long?> QueryMaxIndexAsync(ObjectId oid, ReadOnlyMemory<byte> dkey, ReadOnlyMemory<byte> akey, Epoch epoch, CancellationToken ct)
    {
        ObjectQueryMaxReply reply = await ShardCallAsync<ObjectQueryMaxRequest, ObjectQueryMaxReply>(oid, dkey, ProtocolOpcodes.ObjectQueryMax,
            (address, _) => new ObjectQueryMaxRequest(address, epoch, dkey, akey), ct);
        return reply.HasRecords ? reply.MaxIndex : null;
    }

    private async ValueTask PunchEveryShardAsync(ObjectId oid, CancellationToken ct)
    {
        CheckOpen();
        int shards = _router.AllShards(oid).Count;
        await IoWindow.RunAsync(shards, Options.IoRequestsInFlightMax, (Self: this, Oid: oid), static async (s, shard, token) =>
            s.Self.Acknowledge(await s.Self.ShardIndexCallAsync<ObjectPunchRequest, EpochReply>(s.Oid, shard, ProtocolOpcodes.ObjectPunch,
                address => new ObjectPunchRequest(address, ServerEpoch, PunchKind.Object, ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, default), token)),
            ct);
    }

    /// <summary>Sends to the shard holding <paramref name="dkey"/>, re-routing after a Stale answer.</summary>
    private ValueTask<TReply> ShardCallAsync<TRequest, TReply>(ObjectId oid, ReadOnlyMemory<byte> dkey, ushort opcode, Func<ObjectAddress, ShardAddress, TRequest> build, CancellationToken ct)
        where TRequest : IProtocolMessage<TRequest>
        where TReply : IProtocolMessage<TReply>
    {
        CheckOpen();
        return _runtime.Retry.RunAsync(
            (Self: this, Oid: oid, Dkey: dkey, Opcode: opcode, Build: build),
            static async (s, token) =>
            {
                s.Self.CheckOpen();
                ShardAddress shard = s.Self._router.Route(s.Oid, s.Dkey.Span);
                return await s.Self.SendAsync<TRequest, TReply>(shard, s.Opcode, s.Build(s.Self.AddressFor(s.Oid, shard), shard), token);
            },
            static (s, error, token) => s.Self.RecoverAsync(error, token),
            ct);
    }

    /// <summary>Sends to shard number <paramref name="shardIndex"/> (enumeration and object punch visit each).</summary>
    private ValueTask<TReply> ShardIndexCallAsync<TRequest, TReply>(ObjectId oid, int shardIndex, ushort opcode, Func<ObjectAddress, TRequest> build, CancellationToken ct)
        where TRequest : IProtocolMessage<TRequest>
        where TReply : IProtocolMessage<TReply> =>
        _runtime.Retry.RunAsync(
            (Self: this, Oid: oid, Shard: shardIndex, Opcode: opcode, Build: build),
            static async (s, token) =>
            {
                s.Self.CheckOpen();
                List<ShardAddress> shards = s.Self._router.AllShards(s.Oid);
                ShardAddress shard = shards[Math.Min(s.Shard, shards.Count - 1)];
                return await s.Self.SendAsync<TRequest, TReply>(shard, s.Opcode, s.Build(s.Self.AddressFor(s.Oid, shard)), token);
            },
            static (s, error, token) => s.Self.RecoverAsync(error, token),
            ct);

    private async ValueTask<TReply> SendAsync<TRequest, TReply>(ShardAddress shard, ushort opcode, TRequest request, CancellationToken ct)
        where TRequest : IProtocolMessage<TRequest>
        where TReply : IProtocolMessage<TReply>
    {
        TransportAddress address = await _runtime.AddressOfAsync(shard.Rank, ct);
        return await _runtime.CallAsync<TRequest, TReply>(address, opcode, (uint)shard.TargetIndex, request, ct);
    }

    private ObjectAddress AddressFor(ObjectId oid, ShardAddress shard) => new(_pool, _container, _handle, shard.MapVersion, oid);

    private async ValueTask RecoverAsync(DaosException error, CancellationToken ct)
    {
        if (error is StaleMapException { PoolMap.IsEmpty: false } stale)
        {
            await _router.AdoptStaleAsync(PoolMap.Deserialize(stale.PoolMap.Span), ct);
        }
        else if (error.Error is DaosError.Unreachable or DaosError.Timeout)
        {
            // The rank may have restarted at another address; a failed refresh leaves the retry to fail on its own.
            try
            {
                await _runtime.RefreshMembershipAsync(ct);
            }
            catch (DaosException)
            {
            }
        }
    }

    private void Acknowledge(EpochReply reply)
    {
        ulong epoch = reply.Epoch.Value;
        ulong seen = Volatile.Read(ref _highestEpoch);
        while (epoch > seen)
        {
            ulong previous = Interlocked.CompareExchange(ref _highestEpoch, epoch, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }

    private void CheckOpen()
    {
        if (!_isOpen())
        {
            ThrowHelper.Throw(DaosError.NoHandle, $"container handle {_handle} is closed");
        }
    }
}
