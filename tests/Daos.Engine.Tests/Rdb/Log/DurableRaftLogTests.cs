using Daos.Engine.Rdb.Log;
using Daos.Engine.Rdb.Raft;
using Daos.Harness.Storage;

namespace Daos.Engine.Tests.Rdb.Log;

/// <summary>
/// The durable Raft log: crash-state enumeration over Raft persistence workloads (every acknowledged call survives,
/// nothing torn is visible), single-bit flips, and agreement with the in-memory log.
/// </summary>
public sealed class DurableRaftLogTests
{
    private static readonly RaftConfiguration Voters = new([1, 2, 3]);

    private sealed record State(string Entries, ulong SnapshotIndex, ulong SnapshotTerm, string SnapshotData, HardState HardState)
    {
        public static State Of(DurableRaftLog log) => new(
            string.Join(";", log.Entries.Select(e => $"{e.Index}/{e.Term}/{e.Kind}/{Convert.ToHexString(e.Data.Span)}")),
            log.Snapshot.Index, log.Snapshot.Term, Convert.ToHexString(log.Snapshot.Data.Span), log.DurableHardState);

        // True when `actual` is this state, or this state's log seen through a newer snapshot `through` whose file
        // reached the disk before the log was rewritten (compaction or installation interrupted by the crash): the
        // entries are this state's after the snapshot's index (or none, when they disagree with it), and the hard
        // state is this one with the snapshot's index committed.
        public bool Explains(State actual, State through)
        {
            if (actual == this)
            {
                return true;
            }

            if (actual.SnapshotIndex != through.SnapshotIndex || actual.SnapshotTerm != through.SnapshotTerm
                || actual.SnapshotData != through.SnapshotData
                || actual.HardState != HardState with { Commit = Math.Max(HardState.Commit, through.SnapshotIndex) })
            {
                return false;
            }

            string[] suffix = Entries.Split(';', StringSplitOptions.RemoveEmptyEntries)
                .Where(e => ulong.Parse(e.Split('/')[0], System.Globalization.CultureInfo.InvariantCulture) > through.SnapshotIndex)
                .ToArray();
            return actual.Entries.Length == 0 || actual.Entries == string.Join(";", suffix);
        }
    }

    // Runs a random workload of Raft persistence calls; returns the state after each call and the medium's recorded
    // operation count when each call returned.
    private static (List<State> States, List<int> Boundaries) RunWorkload(SimulatedMedium medium, ulong seed, int calls)
    {
        var random = new DeterministicRandom(seed);
        var states = new List<State>();
        var boundaries = new List<int>();
        using DurableRaftLog log = DurableRaftLog.Open(medium, Voters);
        states.Add(State.Of(log));
        boundaries.Add(medium.Recorded.Count);
        ulong term = 1;
        for (int call = 0; call < calls; call++)
        {
            int action = random.Next(10);
            HardState hard = log.HardState;
            if (action < 5)
            {
                ulong low = Math.Max(log.FirstIndex, hard.Commit + 1);
                ulong first = low + random.NextUInt64(log.LastIndex + 2 - low);
                term += random.Chance(0.3) ? 1UL : 0UL;
                var batch = new List<LogEntry>();
                for (int i = random.Next(1, 4); i > 0; i--)
                {
                    var data = new byte[random.Next(0, 700)];
                    random.NextBytes(data);
                    batch.Add(new LogEntry(first + (ulong)batch.Count, term, LogEntryKind.Normal, data));
                }

                log.Save(new HardState(term, hard.Vote, hard.Commit), batch, sync: true);
            }
            else if (action < 7)
            {
                ulong commit = hard.Commit + random.NextUInt64(log.LastIndex - hard.Commit + 1);
                log.Save(new HardState(term, random.Chance(0.5) ? 2UL : hard.Vote, commit), [], sync: random.Chance(0.5));
            }
            else if (action < 9 && hard.Commit > log.Snapshot.Index && hard.Commit >= log.FirstIndex)
            {
                var image = new byte[random.Next(1, 300)];
                random.NextBytes(image);
                log.CompactTo(hard.Commit, Voters, image);
            }
            else
            {
                ulong index = log.LastIndex + 1 + random.NextUInt64(5);
                term++;
                var image = new byte[random.Next(1, 300)];
                random.NextBytes(image);
                log.InstallSnapshot(new RaftSnapshot(index, term, Voters, image), new HardState(term, 3, index));
            }

            states.Add(State.Of(log));
            boundaries.Add(medium.Recorded.Count);
        }

        return (states, boundaries);
    }

    [Fact]
    public void Every_crash_state_recovers_an_acknowledged_state()
    {
        int crashStates = 0;
        for (ulong seed = 1; seed <= 12; seed++)
        {
            var medium = new SimulatedMedium();
            medium.StartRecording();
            (List<State> states, List<int> boundaries) = RunWorkload(medium, seed, 40);
            int total = medium.Recorded.Count;
            for (int n = 0; n <= total; n++)
            {
                // Calls 0..completed returned before operation n; call completed + 1 may or may not have taken effect.
                int completed = boundaries.FindLastIndex(b => b <= n);
                for (ulong crashSeed = 0; crashSeed < 3; crashSeed++)
                {
                    SimulatedMedium crashed = medium.CrashAfter(n, (seed * 1000) + crashSeed);
                    using DurableRaftLog recovered = DurableRaftLog.Open(crashed, Voters);
                    State actual = State.Of(recovered);
                    bool matches = completed < 0
                        ? actual == states[0]
                        : actual == states[completed] || (completed + 1 < states.Count
                            && (actual == states[completed + 1] || states[completed].Explains(actual, states[completed + 1])));
                    Assert.True(matches, $"seed {seed} crash after {n}/{total} ops (crash seed {crashSeed}): recovered {actual}, " +
                        $"expected call {completed} {(completed >= 0 ? states[completed] : null)}");
                    crashStates++;
                }
            }
        }

        Assert.True(crashStates > 1000, $"only {crashStates} crash states");
    }

    [Fact]
    public void A_recovered_log_accepts_further_writes_and_recovers_them()
    {
        var medium = new SimulatedMedium();
        medium.StartRecording();
        RunWorkload(medium, 77, 30);
        int total = medium.Recorded.Count;
        for (int n = 0; n <= total; n += 3)
        {
            SimulatedMedium crashed = medium.CrashAfter(n, (ulong)n);
            State expected;
            using (DurableRaftLog log = DurableRaftLog.Open(crashed, Voters))
            {
                ulong index = log.LastIndex + 1;
                log.Save(new HardState(log.HardState.Term + 1, 1, log.HardState.Commit),
                    [new LogEntry(index, log.HardState.Term + 1, LogEntryKind.Normal, new byte[] { 9, 9 })], sync: true);
                expected = State.Of(log);
            }

            crashed.Crash((ulong)n + 5);
            using DurableRaftLog reopened = DurableRaftLog.Open(crashed, Voters);
            Assert.True(State.Of(reopened) == expected, $"crash after {n}: the write after recovery was lost");
        }
    }

    [Fact]
    public void Every_single_bit_flip_is_detected_or_only_drops_the_unacknowledged_tail()
    {
        var medium = new SimulatedMedium();
        State beforeLast;
        State final;
        using (DurableRaftLog log = DurableRaftLog.Open(medium, Voters))
        {
            log.CompactTo(1, Voters, new byte[] { 1, 2, 3 });
            for (ulong i = 2; i <= 6; i++)
            {
                log.Save(new HardState(2, 1, i - 1), [new LogEntry(i, 2, LogEntryKind.Normal, new byte[] { (byte)i, 7, 7 })], sync: true);
            }

            beforeLast = State.Of(log);
            log.Save(new HardState(2, 1, 6), [new LogEntry(7, 2, LogEntryKind.Normal, new byte[] { 8 })], sync: true);
            final = State.Of(log);
        }

        int detected = 0;
        int tailDropped = 0;
        foreach (string name in new[] { DurableRaftLog.LogFileName, DurableRaftLog.SnapshotFileName })
        {
            byte[] durable = medium.ReadDurable(name);
            int lastRecordStart = name == DurableRaftLog.LogFileName ? LastRecordStart(durable) : int.MaxValue;
            for (int offset = 0; offset < durable.Length; offset++)
            {
                for (int bit = 0; bit < 8; bit++)
                {
                    SimulatedMedium copy = medium.Clone();
                    copy.FlipBit(name, offset, bit);
                    try
                    {
                        using DurableRaftLog log = DurableRaftLog.Open(copy, Voters);
                        State state = State.Of(log);
                        Assert.True(offset >= lastRecordStart && state == beforeLast && log.DiscardedTailBytes > 0,
                            $"{name} bit {bit} of byte {offset} went undetected: {state} (final {final})");
                        tailDropped++;
                    }
                    catch (DaosException e) when (e.Error is DaosError.Corrupted or DaosError.DurableFormatIncompatible)
                    {
                        detected++;
                    }
                }
            }
        }

        Assert.True(detected > 1000 && tailDropped > 0, $"detected {detected}, tail dropped {tailDropped}");
    }

    private static int LastRecordStart(byte[] file)
    {
        int at = 0;
        int last = 0;
        while (at < file.Length)
        {
            last = at;
            at += LogRecordCodec.PaddedSize((int)BitConverter.ToUInt32(file, at + 16));
        }

        return last;
    }

    [Fact]
    public void A_conflicting_suffix_is_truncated_durably()
    {
        var medium = new SimulatedMedium();
        using (DurableRaftLog log = DurableRaftLog.Open(medium, Voters))
        {
            log.Save(new HardState(2, 1, 1), [E(2, 2), E(3, 2), E(4, 2)], sync: true);
            log.Save(new HardState(3, 2, 2), [E(3, 3)], sync: true);
            Assert.Equal(3UL, log.LastIndex);
        }

        medium.Crash(1);
        using DurableRaftLog reopened = DurableRaftLog.Open(medium, Voters);
        Assert.Equal("1/1 2/2 3/3", string.Join(" ", reopened.Entries.Select(e => $"{e.Index}/{e.Term}")));
        Assert.Equal(new HardState(3, 2, 2), reopened.HardState);
    }

    [Fact]
    public void A_commit_only_change_is_written_with_the_next_synced_record()
    {
        var medium = new SimulatedMedium();
        using DurableRaftLog log = DurableRaftLog.Open(medium, Voters);
        log.Save(new HardState(1, 0, 1), [E(2, 1)], sync: true);
        long size = log.FileSizeBytes;
        log.Save(new HardState(1, 0, 2), [], sync: false);
        Assert.Equal(size, log.FileSizeBytes);
        Assert.Equal(new HardState(1, 0, 2), log.HardState);
        log.Save(null, [E(3, 1)], sync: true);
        Assert.Equal(new HardState(1, 0, 2), log.DurableHardState);
    }

    [Fact]
    public void A_gap_is_refused()
    {
        using DurableRaftLog log = DurableRaftLog.Open(new SimulatedMedium(), Voters);
        DaosException e = Assert.Throws<DaosException>(() => log.Save(null, [E(5, 1)], sync: true));
        Assert.Equal(DaosError.InvalidArgument, e.Error);
    }

    [Fact]
    public void A_future_format_version_is_refused()
    {
        var medium = new SimulatedMedium();
        using (DurableRaftLog.Open(medium, Voters))
        {
        }

        byte[] file = medium.ReadDurable(DurableRaftLog.LogFileName);
        file[4] = 2;
        uint crc = Crc32C.Update(~0u, file.AsSpan(0, 20));
        crc = ~Crc32C.Update(crc, file.AsSpan(24, 16));
        BitConverter.TryWriteBytes(file.AsSpan(20), crc);
        using (IDisposable f = medium.OpenFile(DurableRaftLog.LogFileName, Daos.Storage.MediumOpenMode.OpenExisting) is var h ? h : null!)
        {
            h.Write(0, file);
            h.Flush();
        }

        DaosException e = Assert.Throws<DaosException>(() => DurableRaftLog.Open(medium, Voters));
        Assert.Equal(DaosError.DurableFormatIncompatible, e.Error);
    }

    private static LogEntry E(ulong index, ulong term) => new(index, term, LogEntryKind.Normal, new byte[] { (byte)index });
}
