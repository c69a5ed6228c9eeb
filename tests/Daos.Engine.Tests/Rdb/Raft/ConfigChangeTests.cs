using Daos.Engine.Rdb.Raft;

namespace Daos.Engine.Tests.Rdb.Raft;

public sealed class ConfigChangeTests
{
    [Fact]
    public void Every_shape_round_trips()
    {
        ConfigChange[] changes =
        [
            ConfigChange.AddVoter(4),
            ConfigChange.RemoveVoter(2),
            ConfigChange.EnterJoint([4, 5], [1]),
            ConfigChange.LeaveJoint(),
            ConfigChange.Bootstrap(new RaftConfiguration([1, 2, 3])),
        ];
        foreach (ConfigChange change in changes)
        {
            ConfigChange decoded = ConfigChange.Decode(change.Encode());
            Assert.Equal(change.Kind, decoded.Kind);
            Assert.Equal(change.Added, decoded.Added);
            Assert.Equal(change.Removed, decoded.Removed);
        }
    }

    [Fact]
    public void Truncated_or_damaged_encodings_are_rejected_as_corrupted()
    {
        byte[] good = ConfigChange.EnterJoint([4, 5], [1]).Encode();
        for (int length = 0; length < good.Length; length++)
        {
            DaosException e = Assert.Throws<DaosException>(() => ConfigChange.Decode(good.AsSpan(0, length)));
            Assert.Equal(DaosError.Corrupted, e.Error);
        }

        for (int bit = 0; bit < good.Length * 8; bit++)
        {
            byte[] damaged = (byte[])good.Clone();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));
            DaosException e = Assert.Throws<DaosException>(() => ConfigChange.Decode(damaged));
            Assert.True(e.Error is DaosError.Corrupted or DaosError.DurableFormatIncompatible, $"bit {bit}: {e.Error}");
        }
    }

    [Fact]
    public void Unknown_version_is_incompatible_not_corrupted()
    {
        byte[] encoded = ConfigChange.AddVoter(3).Encode();
        encoded[4] = 2;
        Assert.Equal(DaosError.DurableFormatIncompatible, Assert.Throws<DaosException>(() => ConfigChange.Decode(encoded)).Error);
    }

    [Fact]
    public void Random_bytes_never_escape_as_anything_but_a_typed_error()
    {
        var random = new DeterministicRandom(7);
        for (int i = 0; i < 20_000; i++)
        {
            byte[] bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            if (bytes.Length >= 4 && random.Chance(0.5))
            {
                BitConverter.TryWriteBytes(bytes, ConfigChange.Magic);
                if (bytes.Length > 4)
                {
                    bytes[4] = ConfigChange.FormatVersion;
                }
            }

            try
            {
                ConfigChange.Decode(bytes);
            }
            catch (DaosException)
            {
                // Expected for almost every input.
            }
        }
    }

    [Fact]
    public void Invalid_changes_are_caller_errors()
    {
        Assert.Equal(DaosError.InvalidArgument, Assert.Throws<DaosException>(() => ConfigChange.AddVoter(0)).Error);
        Assert.Equal(DaosError.InvalidArgument, Assert.Throws<DaosException>(() => ConfigChange.EnterJoint([], [])).Error);
        Assert.Equal(DaosError.InvalidArgument, Assert.Throws<DaosException>(() => ConfigChange.Bootstrap(RaftConfiguration.Empty)).Error);
    }

    [Fact]
    public void Configuration_changes_apply_only_where_they_make_sense()
    {
        var simple = new RaftConfiguration([1, 2, 3]);
        Assert.Equal(new RaftConfiguration([1, 2, 3, 4]), simple.TryApply(ConfigChange.AddVoter(4)));
        Assert.Null(simple.TryApply(ConfigChange.AddVoter(3)));
        Assert.Null(simple.TryApply(ConfigChange.RemoveVoter(9)));
        Assert.Null(simple.TryApply(ConfigChange.LeaveJoint()));
        Assert.Null(simple.TryApply(ConfigChange.Bootstrap(simple)));
        Assert.Null(new RaftConfiguration([1]).TryApply(ConfigChange.RemoveVoter(1)));

        RaftConfiguration joint = simple.TryApply(ConfigChange.EnterJoint([4], [1]))!;
        Assert.True(joint.IsJoint);
        Assert.Equal([2UL, 3, 4], joint.Voters);
        Assert.Equal([1UL, 2, 3], joint.OutgoingVoters);
        Assert.True(joint.IsVoter(1));
        Assert.Null(joint.TryApply(ConfigChange.AddVoter(5)));
        Assert.Null(joint.TryApply(ConfigChange.EnterJoint([5], [])));
        Assert.Equal(new RaftConfiguration([2, 3, 4]), joint.TryApply(ConfigChange.LeaveJoint()));
        Assert.Equal(simple, RaftConfiguration.Empty.TryApply(ConfigChange.Bootstrap(simple)));
    }
}
