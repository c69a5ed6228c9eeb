using Daos.Engine.Engine;
using Daos.Protocol;
using Daos.Protocol.Containers;
using Daos.Protocol.Management;
using Daos.Protocol.Objects;
using Daos.Protocol.Pools;
using FsCheck;
using FsCheck.Fluent;

namespace Daos.Engine.Tests.Protocol;

/// <summary>
/// Every protocol message: encode → decode → encode gives the same bytes; every truncation and every byte of
/// garbage is refused with a typed <see cref="DaosException"/> (Protocol) and nothing else.
/// </summary>
public sealed class ProtocolCodecTests
{
    private static readonly Guid A = new("0d9e3b8c-6f65-4b3e-9a53-0cb2d3c4e5f6");
    private static readonly Guid B = new("11111111-2222-4333-8444-555555555555");
    private static readonly ObjectAddress Address = new(A, B, A, 3, ObjectId.Create(ObjectType.MultiLexical, ObjectClass.S2, 77));

    /// <summary>One sample of each message, with a decode function working on the same type.</summary>
    public static TheoryData<string> Names => new(Samples.Keys);

    private static readonly Dictionary<string, (byte[] Bytes, Func<ReadOnlyMemory<byte>, byte[]> RoundTrip)> Samples = new()
    {
        ["ObjectUpdate"] = Sample(new ObjectUpdateRequest(Address, new Epoch(5), UpdateCondition.InsertOnly, "dk"u8.ToArray(),
            [new IodUpdate("a"u8.ToArray(), IodKind.Single, 0, 0, "value"u8.ToArray()), new IodUpdate("b"u8.ToArray(), IodKind.Array, 4, 10, new byte[16])])),
        ["ObjectFetch"] = Sample(new ObjectFetchRequest(Address, Epoch.Max, "dk"u8.ToArray(),
            [new IodFetch("a"u8.ToArray(), IodKind.Single, 0, 0, 0), new IodFetch("b"u8.ToArray(), IodKind.Array, 8, 3, 100)])),
        ["ObjectFetchReply"] = Sample(new ObjectFetchReply([new IodResult(true, "v"u8.ToArray(), []), new IodResult(true, new byte[24], [new Extent(0, 2), new Extent(5, 1)])])),
        ["EpochReply"] = Sample(new EpochReply(new Epoch(99))),
        ["ObjectPunch"] = Sample(new ObjectPunchRequest(Address, Epoch.Zero, PunchKind.Extents, "d"u8.ToArray(), "a"u8.ToArray(), new Extent(3, 4))),
        ["ObjectList"] = Sample(new ObjectListRequest(Address, Epoch.Max, ListKind.Akeys, "d"u8.ToArray(), default, "after"u8.ToArray(), 0, 16)),
        ["ObjectListReply"] = Sample(new ObjectListReply(["k1"u8.ToArray(), "k2"u8.ToArray()], [new Extent(1, 2)], true)),
        ["ObjectQueryMax"] = Sample(new ObjectQueryMaxRequest(Address, Epoch.Max, "d"u8.ToArray(), "a"u8.ToArray())),
        ["ObjectQueryMaxReply"] = Sample(new ObjectQueryMaxReply(true, 1234)),
        ["SystemJoin"] = Sample(new SystemJoinRequest(new SystemMember(3, "inproc://engine-3", 4, RankState.Joined))),
        ["SystemQueryReply"] = Sample(new SystemQueryReply("daos_server", [new SystemMember(0, "tcp://127.0.0.1:10001", 8, RankState.Joined), new SystemMember(1, "x", 8, RankState.Stopped)])),
        ["PoolCreate"] = Sample(new PoolCreateRequest("tank", 1 << 20, 1 << 30, [0, 2], 3, B)),
        ["PoolMapChange"] = Sample(new PoolMapChangeRequest("tank", PoolMapChangeKind.Exclude, 2, 1, [])),
        ["PoolMapChangeExtend"] = Sample(new PoolMapChangeRequest("tank", PoolMapChangeKind.Extend, -1, -1, [3, 4])),
        ["PoolServiceMapChange"] = Sample(new PoolServiceMapChangeRequest(A, PoolMapChangeKind.Extend, -1, -1, [new RankAddress(3, "inproc://e3")])),
        ["PoolServiceMapChangeDrain"] = Sample(new PoolServiceMapChangeRequest(A, PoolMapChangeKind.Drain, 1, -1, [])),
        ["PoolDestroy"] = Sample(new PoolDestroyRequest("tank", true)),
        ["PoolLookup"] = Sample(new PoolLookupRequest(A.ToString())),
        ["PoolLocation"] = Sample(new PoolLocation(A, "tank", [0, 1, 2], [1])),
        ["PoolListReply"] = Sample(new PoolListReply([new PoolLocation(A, "tank", [0], [0]), new PoolLocation(B, "b", [1, 2], [2])])),
        ["PoolShardCreate"] = Sample(new PoolShardCreateRequest(A, "tank", 1 << 20, 1 << 22, Placement.PoolMap.Create(2, 1, 2).Serialize(),
            [new RankAddress(0, "inproc://e0"), new RankAddress(1, "inproc://e1")], [1], 77, ProtocolOpcodes.PoolServiceRaftFirst)),
        ["PoolShardDestroy"] = Sample(new PoolShardDestroyRequest(A)),
        ["PoolShardQuery"] = Sample(new PoolShardQueryRequest(B)),
        ["PoolSpace"] = Sample(new PoolSpace(100, 40, 1000, 999, 2)),
        ["PoolInfo"] = Sample(new PoolInfoReply(A, "tank", 2, 8, 1, new PoolSpace(1, 1, 2, 2, 7), [0, 1, 2], 1, 4,
            Placement.PoolMap.Create(2, 1, 4).Serialize(), [0, 2])),
        ["PoolConnect"] = Sample(new PoolConnectRequest(A, B, HandleAccess.ReadOnly, "alice")),
        ["PoolConnectReply"] = Sample(new PoolConnectReply(new PoolInfoReply(A, "t", 1, 2, 0, PoolSpace.Zero, [0], 0, 1), new byte[] { 1, 2, 3 }, [4, 5])),
        ["PoolHandle"] = Sample(new PoolHandleRequest(A, B)),
        ["ContainerCreate"] = Sample(new ContainerCreateRequest(A, B, A, [new ContainerProperty(ContainerPropertyId.Label, 0, "c1"), new ContainerProperty(ContainerPropertyId.ChunkSize, 4096, "")])),
        ["ContainerInfo"] = Sample(new ContainerInfoReply(A, "c1", [new ContainerProperty(ContainerPropertyId.Acl, 0, "A::OWNER@:rw")], 2, 3, 1000)),
        ["ContainerOpen"] = Sample(new ContainerOpenRequest(A, B, "c1", A, HandleAccess.ReadWrite)),
        ["ContainerHandle"] = Sample(new ContainerHandleRequest(A, B)),
        ["ContainerDestroy"] = Sample(new ContainerDestroyRequest(A, B, "c1", false)),
        ["ContainerList"] = Sample(new ContainerListReply([new ContainerInfoReply(A, "c1", [], 0, 0, 1)])),
        ["ContainerSetProperties"] = Sample(new ContainerSetPropertiesRequest(A, B, [new ContainerProperty(ContainerPropertyId.RedundancyFactor, 2, "")])),
        ["ContainerAttribute"] = Sample(new ContainerAttributeRequest(A, B, AttributeOperation.Set, "name", "value"u8.ToArray())),
        ["ContainerDestroyKeyed"] = Sample(new ContainerDestroyRequest(A, B, "c1", true, new OperationKey(A, 9))),
        ["ContainerSetPropertiesKeyed"] = Sample(new ContainerSetPropertiesRequest(A, B, [new ContainerProperty(ContainerPropertyId.Label, 0, "c2")], new OperationKey(B, 3))),
        ["ContainerAttributeKeyed"] = Sample(new ContainerAttributeRequest(A, B, AttributeOperation.Delete, "name", default, new OperationKey(B, 42))),
        ["ContainerAttributeReply"] = Sample(new ContainerAttributeReply(true, "v"u8.ToArray(), ["a", "b"])),
        ["ContainerSnapshot"] = Sample(new ContainerSnapshotRequest(A, B, SnapshotOperation.Create, "nightly", new Epoch(12))),
        ["ContainerSnapshotKeyed"] = Sample(new ContainerSnapshotRequest(A, B, SnapshotOperation.Create, "", new Epoch(3), new OperationKey(A, ulong.MaxValue))),
        ["ContainerSnapshotReply"] = Sample(new ContainerSnapshotReply([new SnapshotEntry(new Epoch(5), "s"), new SnapshotEntry(new Epoch(9), "")])),
        ["ContainerAllocateOids"] = Sample(new ContainerAllocateOidsRequest(A, B, 1024)),
        ["ContainerAllocateOidsReply"] = Sample(new ContainerAllocateOidsReply(4096)),
        ["ContainerHandleCheckReply"] = Sample(new ContainerHandleCheckReply(A, HandleAccess.ReadOnly)),
        ["ContainerShardEvent"] = Sample(new ContainerShardEventRequest(A, B, A, ShardEventKind.ContainerDestroyed)),
        ["ContainerAllocateOidsKeyed"] = Sample(new ContainerAllocateOidsRequest(A, B, 1024, new OperationKey(A, 5))),
        ["ContainerOpenKeyed"] = Sample(new ContainerOpenRequest(A, B, "c1", A, HandleAccess.ReadOnly, new OperationKey(B, 6))),
        ["ContainerHandleKeyed"] = Sample(new ContainerHandleRequest(A, B, new OperationKey(A, 7))),
        ["PoolConnectKeyed"] = Sample(new PoolConnectRequest(A, B, HandleAccess.ReadWrite, "alice", new OperationKey(B, 8))),
        ["PoolHandleKeyed"] = Sample(new PoolHandleRequest(A, B, new OperationKey(A, 9))),
        ["PoolMapChangeKeyed"] = Sample(new PoolMapChangeRequest("tank", PoolMapChangeKind.Reintegrate, 2, -1, [], new OperationKey(A, 10))),
        ["PoolServiceMapChangeKeyed"] = Sample(new PoolServiceMapChangeRequest(A, PoolMapChangeKind.Exclude, 1, 0, [], new OperationKey(B, 11))),
        ["PoolShardCreateFenced"] = Sample(new PoolShardCreateRequest(A, "tank", 1 << 20, 1 << 22, Placement.PoolMap.Create(1, 1, 2).Serialize(),
            [new RankAddress(0, "inproc://e0")], [0], 77, ProtocolOpcodes.PoolServiceRaftFirst, 12)),
        ["PoolShardDestroyFenced"] = Sample(new PoolShardDestroyRequest(A, 13)),
        ["PoolDestroyKeyed"] = Sample(new PoolDestroyRequest("tank", false, new OperationKey(B, 14))),
        ["PoolRejoin"] = Sample(new PoolRejoinRequest(A, 3)),
        ["PoolRejoinReply"] = Sample(new PoolRejoinReply(new PoolShardCreateRequest(A, "tank", 1 << 20, 1 << 22, Placement.PoolMap.Create(2, 1, 2).Serialize(),
            [new RankAddress(0, "inproc://e0"), new RankAddress(1, "inproc://e1")], [1], 77, ProtocolOpcodes.PoolServiceRaftFirst), [A, B])),
        ["ErrorReply"] = Sample(new ErrorReply("stale map", 2, new byte[] { 9, 9 })),
        ["Empty"] = Sample(EmptyMessage.Instance),
    };

    private static (byte[], Func<ReadOnlyMemory<byte>, byte[]>) Sample<T>(T message)
        where T : IProtocolMessage<T> =>
        (ProtocolCodec.EncodeToArray(message), bytes => ProtocolCodec.EncodeToArray(ProtocolCodec.Decode<T>(bytes)));

    [Theory]
    [MemberData(nameof(Names))]
    public void Round_trip_reproduces_the_bytes(string name)
    {
        (byte[] bytes, Func<ReadOnlyMemory<byte>, byte[]> roundTrip) = Samples[name];
        Assert.Equal(bytes, roundTrip(bytes));
    }

    [Fact]
    public void Version_1_bodies_still_decode_with_the_fields_version_2_added_left_empty()
    {
        // A version-1 pool create: no uuid after the service replica count.
        var old = new PoolCreateRequest("tank", 1 << 20, 1 << 30, [0, 2], 3);
        byte[] current = ProtocolCodec.EncodeToArray(old);
        byte[] v1 = [1, .. current.AsSpan(1, current.Length - 1 - 16)];
        PoolCreateRequest decoded = ProtocolCodec.Decode<PoolCreateRequest>(v1);
        Assert.Equal(Guid.Empty, decoded.Uuid);
        Assert.Equal("tank", decoded.Label);
        Assert.Equal(3, decoded.ServiceReplicas);

        // A version-1 pool info: no map and no rank table after the handle count.
        var info = new PoolInfoReply(A, "tank", 2, 8, 1, new PoolSpace(1, 1, 2, 2, 7), [0, 1, 2], 1, 4);
        byte[] infoBytes = ProtocolCodec.EncodeToArray(info);
        byte[] infoV1 = [1, .. infoBytes.AsSpan(1, infoBytes.Length - 1 - 4 - 4)];
        PoolInfoReply decodedInfo = ProtocolCodec.Decode<PoolInfoReply>(infoV1);
        Assert.True(decodedInfo.PoolMap.IsEmpty);
        Assert.Empty(decodedInfo.Ranks!);
        Assert.Equal(4, decodedInfo.Handles);

        // The same bytes read as version 2 are short of the new fields.
        byte[] asV2 = [.. v1];
        asV2[0] = 2;
        Assert.Equal(DaosError.Protocol, Assert.Throws<DaosException>(() => ProtocolCodec.Decode<PoolCreateRequest>(asV2)).Error);
    }

    [Fact]
    public void Operation_keys_round_trip_are_absent_in_version_2_bodies_and_refused_when_half_set()
    {
        var keyed = new ContainerAttributeRequest(A, B, AttributeOperation.Set, "owner", "bob"u8.ToArray(), new OperationKey(B, 7));
        ContainerAttributeRequest decoded = ProtocolCodec.Decode<ContainerAttributeRequest>(ProtocolCodec.EncodeToArray(keyed));
        Assert.Equal(new OperationKey(B, 7), decoded.Key);
        Assert.Equal("bob"u8.ToArray(), decoded.Value.ToArray());

        // A version-2 body ends before the key: it decodes with none (applied each time, as before).
        byte[] current = ProtocolCodec.EncodeToArray(keyed);
        byte[] v2 = [2, .. current.AsSpan(1, current.Length - 1 - 24)];
        ContainerAttributeRequest old = ProtocolCodec.Decode<ContainerAttributeRequest>(v2);
        Assert.True(old.Key.IsNone);
        Assert.Equal("owner", old.Name);
        var snapshot = new ContainerSnapshotRequest(A, B, SnapshotOperation.Create, "s", new Epoch(4), new OperationKey(A, 1));
        byte[] snapshotBytes = ProtocolCodec.EncodeToArray(snapshot);
        byte[] snapshotV2 = [2, .. snapshotBytes.AsSpan(1, snapshotBytes.Length - 1 - 24)];
        Assert.True(ProtocolCodec.Decode<ContainerSnapshotRequest>(snapshotV2).Key.IsNone);
        byte[] destroyBytes = ProtocolCodec.EncodeToArray(new ContainerDestroyRequest(A, B, "c1", false, new OperationKey(A, 2)));
        ContainerDestroyRequest destroyV2 = ProtocolCodec.Decode<ContainerDestroyRequest>((byte[])[2, .. destroyBytes.AsSpan(1, destroyBytes.Length - 1 - 24)]);
        Assert.True(destroyV2.Key.IsNone);
        Assert.Equal("c1", destroyV2.LabelOrUuid);

        // The same bytes read as version 3 are short of the key.
        byte[] asV3 = [.. v2];
        asV3[0] = 3;
        Assert.Equal(DaosError.Protocol, Assert.Throws<DaosException>(() => ProtocolCodec.Decode<ContainerAttributeRequest>(asV3)).Error);

        // Half a key (a uuid with sequence 0, a sequence without a uuid), or a key on a read, is refused.
        foreach (byte[] body in new[]
        {
            ProtocolCodec.EncodeToArray(keyed with { Key = new OperationKey(B, 0) }),
            ProtocolCodec.EncodeToArray(keyed with { Key = new OperationKey(Guid.Empty, 3) }),
            ProtocolCodec.EncodeToArray(new ContainerAttributeRequest(A, B, AttributeOperation.Get, "owner", default, new OperationKey(B, 1))),
        })
        {
            Assert.Equal(DaosError.Protocol, Assert.Throws<DaosException>(() => ProtocolCodec.Decode<ContainerAttributeRequest>(body)).Error);
        }

        byte[] keyedList = ProtocolCodec.EncodeToArray(new ContainerSnapshotRequest(A, B, SnapshotOperation.List, "", Epoch.Zero, new OperationKey(B, 1)));
        Assert.Equal(DaosError.Protocol, Assert.Throws<DaosException>(() => ProtocolCodec.Decode<ContainerSnapshotRequest>(keyedList)).Error);
    }

    /// <summary>Version 4 added a trailing key (or fencing token) to these messages; their version-3 bodies still decode, without one.</summary>
    [Fact]
    public void Version_3_bodies_of_the_messages_keyed_in_version_4_decode_without_a_key()
    {
        var key = new OperationKey(B, 21);
        AssertV3<ContainerAllocateOidsRequest>(new(A, B, 64, key), 24, d => Assert.Equal((64, true), (d.Count, d.Key.IsNone)));
        AssertV3<ContainerOpenRequest>(new(A, B, "c1", A, HandleAccess.ReadOnly, key), 24, d => Assert.Equal(("c1", true), (d.LabelOrUuid, d.Key.IsNone)));
        AssertV3<ContainerHandleRequest>(new(A, B, key), 24, d => Assert.Equal((B, true), (d.Handle, d.Key.IsNone)));
        AssertV3<PoolConnectRequest>(new(A, B, HandleAccess.ReadWrite, "alice", key), 24, d => Assert.Equal(("alice", true), (d.User, d.Key.IsNone)));
        AssertV3<PoolHandleRequest>(new(A, B, key), 24, d => Assert.Equal((B, true), (d.Handle, d.Key.IsNone)));
        AssertV3<PoolMapChangeRequest>(new("tank", PoolMapChangeKind.Drain, 1, 0, [], key), 24, d => Assert.Equal((PoolMapChangeKind.Drain, true), (d.Kind, d.Key.IsNone)));
        AssertV3<PoolServiceMapChangeRequest>(new(A, PoolMapChangeKind.Extend, -1, -1, [new RankAddress(3, "x")], key), 24,
            d => Assert.Equal((3, true), (d.NewRanks[0].Rank, d.Key.IsNone)));
        AssertV3<PoolShardCreateRequest>(new(A, "tank", 1 << 20, 1 << 22, Placement.PoolMap.Create(1, 1, 2).Serialize(), [new RankAddress(0, "e")], [0], 5,
            ProtocolOpcodes.PoolServiceRaftFirst, 99), 8, d => Assert.Equal(("tank", 0UL), (d.Label, d.FencingToken)));
        AssertV3<PoolDestroyRequest>(new("tank", true, key), 24, d => Assert.Equal(("tank", true, true), (d.LabelOrUuid, d.Force, d.Key.IsNone)));
        AssertV3<PoolShardDestroyRequest>(new(A, 99), 8, d => Assert.Equal((A, 0UL), (d.Uuid, d.FencingToken)));

        // Keys and tokens round trip at version 4; half a key is refused there as in version 3.
        Assert.Equal(key, ProtocolCodec.Decode<ContainerAllocateOidsRequest>(ProtocolCodec.EncodeToArray(new ContainerAllocateOidsRequest(A, B, 1, key))).Key);
        Assert.Equal(77UL, ProtocolCodec.Decode<PoolShardDestroyRequest>(ProtocolCodec.EncodeToArray(new PoolShardDestroyRequest(A, 77))).FencingToken);
        byte[] half = ProtocolCodec.EncodeToArray(new PoolHandleRequest(A, B, new OperationKey(A, 0)));
        Assert.Equal(DaosError.Protocol, Assert.Throws<DaosException>(() => ProtocolCodec.Decode<PoolHandleRequest>(half)).Error);
        Assert.Equal(DaosError.Protocol, Assert.Throws<DaosException>(() => ProtocolCodec.Decode<PoolRejoinRequest>(ProtocolCodec.EncodeToArray(new PoolRejoinRequest(A, -1)))).Error);
    }

    /// <summary>Cuts the trailing <paramref name="addedBytes"/> of <paramref name="message"/>'s current body, labels it version 3, and checks it decodes (and is short as version 4).</summary>
    private static void AssertV3<T>(T message, int addedBytes, Action<T> check)
        where T : IProtocolMessage<T>
    {
        byte[] current = ProtocolCodec.EncodeToArray(message);
        Assert.Equal(ProtocolCodec.Version, current[0]);
        byte[] v3 = [3, .. current.AsSpan(1, current.Length - 1 - addedBytes)];
        check(ProtocolCodec.Decode<T>(v3));
        byte[] asV4 = [.. v3];
        asV4[0] = 4;
        Assert.Equal(DaosError.Protocol, Assert.Throws<DaosException>(() => ProtocolCodec.Decode<T>(asV4)).Error);
    }

    [Fact]
    public void Map_changes_with_inconsistent_fields_are_refused()
    {
        byte[] excludeWithRanks = ProtocolCodec.EncodeToArray(new PoolMapChangeRequest("tank", PoolMapChangeKind.Exclude, 1, -1, [2]));
        byte[] extendWithRank = ProtocolCodec.EncodeToArray(new PoolMapChangeRequest("tank", PoolMapChangeKind.Extend, 1, -1, [2]));
        byte[] extendWithout = ProtocolCodec.EncodeToArray(new PoolMapChangeRequest("tank", PoolMapChangeKind.Extend, -1, -1, []));
        byte[] badTarget = ProtocolCodec.EncodeToArray(new PoolMapChangeRequest("tank", PoolMapChangeKind.Drain, 1, -2, []));
        byte[] badKind = ProtocolCodec.EncodeToArray(new PoolMapChangeRequest("tank", (PoolMapChangeKind)9, 1, -1, []));
        foreach (byte[] body in new[] { excludeWithRanks, extendWithRank, extendWithout, badTarget, badKind })
        {
            Assert.Equal(DaosError.Protocol, Assert.Throws<DaosException>(() => ProtocolCodec.Decode<PoolMapChangeRequest>(body)).Error);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_truncation_and_a_wrong_version_are_protocol_errors(string name)
    {
        (byte[] bytes, Func<ReadOnlyMemory<byte>, byte[]> roundTrip) = Samples[name];
        for (int length = 0; length < bytes.Length; length++)
        {
            DaosException e = Assert.Throws<DaosException>(() => roundTrip(bytes.AsMemory(0, length)));
            Assert.Equal(DaosError.Protocol, e.Error);
        }

        byte[] extended = [.. bytes, 0];
        Assert.Equal(DaosError.Protocol, Assert.Throws<DaosException>(() => roundTrip(extended)).Error);
        byte[] versioned = [.. bytes];
        versioned[0] = ProtocolCodec.Version + 1;
        Assert.Equal(DaosError.Protocol, Assert.Throws<DaosException>(() => roundTrip(versioned)).Error);
        versioned[0] = ProtocolCodec.VersionMin - 1;
        Assert.Equal(DaosError.Protocol, Assert.Throws<DaosException>(() => roundTrip(versioned)).Error);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Corrupted_bytes_decode_or_fail_with_a_protocol_error_only(string name)
    {
        (byte[] bytes, Func<ReadOnlyMemory<byte>, byte[]> roundTrip) = Samples[name];
        ulong seed = XxHash64.Hash(System.Text.Encoding.UTF8.GetBytes(name));
        var random = new DeterministicRandom(seed);
        for (int trial = 0; trial < 2000; trial++)
        {
            byte[] mutated = [.. bytes];
            int flips = 1 + random.Next(3);
            for (int i = 0; i < flips && mutated.Length > 1; i++)
            {
                mutated[1 + random.Next(mutated.Length - 1)] = (byte)random.Next(256);
            }

            try
            {
                roundTrip(mutated);
            }
            catch (DaosException e) when (e.Error is DaosError.Protocol or DaosError.InvalidArgument)
            {
                // Refused as hostile input.
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed} trial {trial}: {name} threw {e.GetType().Name}: {e.Message} for {Convert.ToHexString(mutated)}");
            }
        }
    }

    [Fact]
    public void Arbitrary_bytes_never_escape_as_anything_but_a_protocol_error()
    {
        Prop.ForAll<byte[]>(garbage =>
        {
            byte[] body = [ProtocolCodec.Version, .. garbage];
            foreach ((byte[] _, Func<ReadOnlyMemory<byte>, byte[]> roundTrip) in Samples.Values)
            {
                try
                {
                    roundTrip(body);
                }
                catch (DaosException e) when (e.Error is DaosError.Protocol or DaosError.InvalidArgument)
                {
                    // Refused.
                }
            }
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Error_replies_become_typed_exceptions_with_hint_and_map()
    {
        var body = new System.Buffers.ArrayBufferWriter<byte>();
        DaosError status = ProtocolErrors.WriteFailure(new NotLeaderException("not me", 4), body);
        NotLeaderException notLeader = Assert.IsType<NotLeaderException>(ProtocolErrors.ToException(status, body.WrittenMemory.ToArray()));
        Assert.Equal((DaosError.NotLeader, 4), (notLeader.Error, notLeader.LeaderRank));
        Assert.Contains("not me", notLeader.Message, StringComparison.Ordinal);

        body.Clear();
        status = ProtocolErrors.WriteFailure(new StaleMapException("old", new byte[] { 1, 2, 3 }), body);
        StaleMapException stale = Assert.IsType<StaleMapException>(ProtocolErrors.ToException(status, body.WrittenMemory.ToArray()));
        Assert.Equal(new byte[] { 1, 2, 3 }, stale.PoolMap.ToArray());

        body.Clear();
        status = ProtocolErrors.WriteFailure(new DaosException(DaosError.NoHandle, "closed"), body);
        DaosException plain = ProtocolErrors.ToException(status, body.WrittenMemory.ToArray());
        Assert.Equal(DaosError.NoHandle, plain.Error);
        Assert.Equal(DaosError.Busy, ProtocolErrors.ToException(DaosError.Busy, new byte[] { 7, 7, 7 }).Error);
    }

    [Fact]
    public void Local_pool_registry_round_trips_and_refuses_damage()
    {
        var record = new PoolShardCreateRequest(A, "tank", 1 << 20, 1 << 22, Placement.PoolMap.Create(1, 1, 2).Serialize(),
            [new RankAddress(0, "inproc://e0")], [0], 5, ProtocolOpcodes.PoolServiceRaftFirst);
        byte[] bytes = LocalPoolRegistry.Encode([record], new Dictionary<Guid, ulong> { [A] = 7, [B] = 3 });
        (List<PoolShardCreateRequest> pools, Dictionary<Guid, ulong> fences) = LocalPoolRegistry.Decode(bytes);
        Assert.Equal(ProtocolCodec.EncodeToArray(record), ProtocolCodec.EncodeToArray(Assert.Single(pools)));
        Assert.Equal(new Dictionary<Guid, ulong> { [A] = 7, [B] = 3 }, fences);
        for (int i = 0; i < bytes.Length; i++)
        {
            byte[] damaged = [.. bytes];
            damaged[i] ^= 0x20;
            DaosException e = Assert.Throws<DaosException>(() => LocalPoolRegistry.Decode(damaged));
            Assert.True(e.Error is DaosError.Corrupted or DaosError.DurableFormatInvalid or DaosError.DurableFormatIncompatible, $"byte {i}: {e.Error}");
        }

        Assert.Equal(DaosError.Corrupted, Assert.Throws<DaosException>(() => LocalPoolRegistry.Decode(bytes[..^3])).Error);
    }

    [Fact]
    public void Local_pool_registry_version_1_still_reads_without_fences_and_a_fence_twice_is_refused()
    {
        var record = new PoolShardCreateRequest(A, "tank", 1 << 20, 1 << 22, Placement.PoolMap.Create(1, 1, 2).Serialize(),
            [new RankAddress(0, "inproc://e0")], [0], 5, ProtocolOpcodes.PoolServiceRaftFirst);

        // Version 1: the pools, then the checksum (no fence count).
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new ProtocolWriter(output);
        writer.WriteUInt32(LocalPoolRegistry.Magic);
        writer.WriteUInt8(1);
        writer.WriteCount(1);
        writer.WriteBytes(ProtocolCodec.EncodeToArray(record));
        writer.WriteUInt64(Crc64.Compute(output.WrittenSpan));
        (List<PoolShardCreateRequest> pools, Dictionary<Guid, ulong> fences) = LocalPoolRegistry.Decode(output.WrittenSpan.ToArray());
        Assert.Equal(record.Label, Assert.Single(pools).Label);
        Assert.Empty(fences);

        // Version 2 with the same pool fenced twice: corrupt, not silently merged.
        output = new System.Buffers.ArrayBufferWriter<byte>();
        writer = new ProtocolWriter(output);
        writer.WriteUInt32(LocalPoolRegistry.Magic);
        writer.WriteUInt8(2);
        writer.WriteCount(0);
        writer.WriteCount(2);
        writer.WriteGuid(A);
        writer.WriteUInt64(1);
        writer.WriteGuid(A);
        writer.WriteUInt64(2);
        writer.WriteUInt64(Crc64.Compute(output.WrittenSpan));
        Assert.Equal(DaosError.Corrupted, Assert.Throws<DaosException>(() => LocalPoolRegistry.Decode(output.WrittenSpan.ToArray())).Error);
    }
}
