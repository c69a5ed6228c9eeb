using Daos.Vos.Ilog;
using Daos.Vos.Versioning;

namespace Daos.Vos.Tests.Ilog;

public sealed class IncarnationVisibilityTests
{
    private static IncarnationLogEntry Create(ulong epoch, ushort minor = 0, bool prepared = false) =>
        new(new VersionStamp(epoch, minor), IncarnationKind.Create, prepared ? IncarnationState.Prepared : IncarnationState.Committed);

    private static IncarnationLogEntry Punch(ulong epoch, ushort minor = 0, bool prepared = false) =>
        new(new VersionStamp(epoch, minor), IncarnationKind.Punch, prepared ? IncarnationState.Prepared : IncarnationState.Committed);

    private static IncarnationView At(ulong epoch, IncarnationLogEntry[] log, ulong parentPunch = 0) =>
        IncarnationVisibility.Evaluate(log, VersionStamp.ReadBound(epoch),
            parentPunch == 0 ? VersionStamp.Zero : VersionStamp.ReadBound(parentPunch));

    [Fact]
    public void Create_punch_create_is_visible_only_in_its_incarnations()
    {
        IncarnationLogEntry[] log = [Create(2), Punch(5), Create(8)];
        Assert.False(At(1, log).Exists);
        Assert.True(At(2, log).Exists);
        Assert.True(At(4, log).Exists);
        Assert.False(At(5, log).Exists);
        Assert.Equal(new VersionStamp(5, 0), At(6, log).PunchBound);
        Assert.True(At(8, log).Exists);
        Assert.Equal(new VersionStamp(8, 0), At(9, log).Created);
    }

    [Fact]
    public void A_parent_punch_hides_the_child_up_to_its_epoch_only()
    {
        IncarnationLogEntry[] log = [Create(2), Create(7)];
        Assert.False(At(6, log, parentPunch: 6).Exists);
        Assert.True(At(7, log, parentPunch: 6).Exists);
        Assert.True(At(4, log, parentPunch: 0).Exists);
        Assert.Equal(VersionStamp.ReadBound(6), At(9, log, parentPunch: 6).PunchBound);
    }

    [Fact]
    public void Prepared_events_are_reported_not_applied()
    {
        IncarnationLogEntry[] log = [Create(2), Punch(4, prepared: true)];
        IncarnationView view = At(5, log);
        Assert.True(view.Exists);
        Assert.True(view.HasUncommitted);
        Assert.False(At(3, log).HasUncommitted);
        IncarnationLogEntry[] onlyPrepared = [Create(3, prepared: true)];
        Assert.False(At(5, onlyPrepared).Exists);
        Assert.True(At(5, onlyPrepared).HasUncommitted);
    }

    [Fact]
    public void Minor_epochs_order_a_punch_and_a_create_in_one_epoch()
    {
        IncarnationLogEntry[] punchThenCreate = [Punch(5, minor: 1), Create(5, minor: 2)];
        Assert.True(At(5, punchThenCreate).Exists);
        IncarnationLogEntry[] createThenPunch = [Create(5, minor: 1), Punch(5, minor: 2)];
        Assert.False(At(5, createThenPunch).Exists);
    }
}
