using Daos.Harness.Storage;
using Daos.Storage;

namespace Daos.Common.Tests.Storage;

public sealed class SimulatedMediumCrashTests
{
    [Fact]
    public void Flushed_bytes_survive_every_crash()
    {
        for (ulong seed = 0; seed < 200; seed++)
        {
            var medium = new SimulatedMedium();
            using (IMediumFile f = medium.OpenFile("wal", MediumOpenMode.CreateNew))
            {
                f.Write(0, Filled(8192, 1));
                f.Flush();
                medium.SyncDirectory();
                f.Write(8192, Filled(4096, 2));
                f.Write(0, Filled(512, 3));
            }

            medium.Crash(seed);
            using IMediumFile g = medium.OpenFile("wal", MediumOpenMode.OpenExisting);
            byte[] buffer = new byte[8192];
            Assert.Equal(8192, g.Read(0, buffer));
            // Bytes 512.. were durable and never overwritten; bytes 0..511 are old or new, never a mixture
            // finer than a 512-byte sector.
            Assert.True(buffer.AsSpan(512).SequenceEqual(Filled(8192, 1).AsSpan(512)), $"seed {seed}");
            Assert.True(buffer.AsSpan(0, 512).SequenceEqual(Filled(512, 1)) || buffer.AsSpan(0, 512).SequenceEqual(Filled(512, 3)),
                $"seed {seed}: first sector is torn inside a sector");
        }
    }

    [Fact]
    public void Unflushed_writes_are_kept_dropped_or_torn_across_seeds()
    {
        bool kept = false, dropped = false, torn = false;
        for (ulong seed = 0; seed < 300; seed++)
        {
            var medium = new SimulatedMedium();
            using (IMediumFile f = medium.OpenFile("blob", MediumOpenMode.CreateNew))
            {
                f.SetLength(65536);
                f.Flush();
                medium.SyncDirectory();
                f.Write(0, Filled(65536, 7));
            }

            medium.Crash(seed);
            byte[] after = medium.ReadDurable("blob");
            Assert.Equal(65536, after.Length);
            int newSectors = 0;
            for (int s = 0; s < 65536; s += 512)
            {
                bool isNew = after.AsSpan(s, 512).SequenceEqual(Filled(65536, 7).AsSpan(s, 512));
                bool isOld = after.AsSpan(s, 512).IndexOfAnyExcept((byte)0) < 0;
                Assert.True(isNew || isOld, $"seed {seed}: sector at {s} is neither old nor new");
                newSectors += isNew ? 1 : 0;
            }

            kept |= newSectors == 128;
            dropped |= newSectors == 0;
            torn |= newSectors is > 0 and < 128;
        }

        Assert.True(kept && dropped && torn, $"kept {kept} dropped {dropped} torn {torn}");
    }

    [Fact]
    public void Unsynced_directory_entries_may_vanish_synced_ones_stay()
    {
        bool vanished = false, survived = false;
        for (ulong seed = 0; seed < 100; seed++)
        {
            var medium = new SimulatedMedium();
            using (IMediumFile f = medium.OpenFile("durable", MediumOpenMode.CreateNew))
            {
                f.Write(0, "d"u8);
                f.Flush();
            }

            medium.SyncDirectory();
            using (IMediumFile f = medium.OpenFile("fresh", MediumOpenMode.CreateNew))
            {
                f.Write(0, "f"u8);
                f.Flush();
            }

            medium.Crash(seed);
            Assert.True(medium.FileExists("durable"));
            vanished |= !medium.FileExists("fresh");
            survived |= medium.FileExists("fresh");
        }

        Assert.True(vanished && survived);
    }

    [Fact]
    public void Synced_rename_is_atomic_and_durable()
    {
        for (ulong seed = 0; seed < 50; seed++)
        {
            var medium = new SimulatedMedium();
            Write(medium, "super", "old");
            medium.SyncDirectory();
            Write(medium, "super.tmp", "new");
            medium.RenameFile("super.tmp", "super");
            medium.Crash(seed);
            string content = System.Text.Encoding.ASCII.GetString(medium.ReadDurable("super"));
            Assert.True(content is "old" or "new", $"seed {seed}: '{content}'");
        }

        var synced = new SimulatedMedium();
        Write(synced, "super", "old");
        Write(synced, "super.tmp", "new");
        synced.RenameFile("super.tmp", "super");
        synced.SyncDirectory();
        synced.Crash(1);
        Assert.Equal("new"u8.ToArray(), synced.ReadDurable("super"));
        Assert.False(synced.FileExists("super.tmp"));
    }

    [Fact]
    public void Handles_from_before_a_crash_are_dead()
    {
        var medium = new SimulatedMedium();
        IMediumFile f = medium.OpenFile("a", MediumOpenMode.CreateNew);
        medium.Crash(3);
        Assert.Equal(DaosError.IO, Assert.Throws<DaosException>(() => f.Write(0, "x"u8)).Error);
        Assert.Equal(1, medium.CrashCount);
    }

    [Fact]
    public void Same_seed_same_crash_state()
    {
        static byte[] Run(ulong seed)
        {
            var medium = new SimulatedMedium();
            using IMediumFile f = medium.OpenFile("a", MediumOpenMode.CreateNew);
            medium.SyncDirectory();
            for (int i = 0; i < 20; i++)
            {
                f.Write(i * 700, Filled(900, i));
            }

            medium.Crash(seed);
            return medium.ReadDurable("a");
        }

        Assert.Equal(Run(42), Run(42));
    }

    [Fact]
    public void CrashAfter_rebuilds_any_prefix_of_the_recorded_history()
    {
        var medium = new SimulatedMedium();
        medium.StartRecording();
        using (IMediumFile f = medium.OpenFile("log", MediumOpenMode.CreateNew))
        {
            medium.SyncDirectory();
            f.Write(0, "one"u8);
            f.Flush();
            f.Write(3, "two"u8);
            f.Flush();
        }

        IReadOnlyList<MediumEvent> events = medium.Recorded;
        Assert.Equal(6, events.Count);
        Assert.Equal(3, events.Count(e => e.IsDurabilityPoint));
        // After the first flush (event 4) "one" is durable whatever the seed; before the create is synced the file may be gone.
        for (ulong seed = 0; seed < 20; seed++)
        {
            SimulatedMedium crashed = medium.CrashAfter(4, seed);
            Assert.Equal("one"u8.ToArray(), crashed.ReadDurable("log"));
            SimulatedMedium full = medium.CrashAfter(6, seed);
            Assert.Equal("onetwo"u8.ToArray(), full.ReadDurable("log"));
        }

        Assert.Equal("onetwo"u8.ToArray(), medium.ReadDurable("log"));
    }

    [Fact]
    public void Bit_flips_and_capacity_and_injected_errors()
    {
        var medium = new SimulatedMedium { CapacityBytes = 1000 };
        using IMediumFile f = medium.OpenFile("a", MediumOpenMode.CreateNew);
        f.Write(0, new byte[100]);
        f.Flush();
        medium.FlipBit("a", 10, 3);
        byte[] buffer = new byte[100];
        f.Read(0, buffer);
        Assert.Equal(8, buffer[10]);
        Assert.Equal(8, medium.ReadDurable("a")[10]);
        Assert.Equal(DaosError.NoSpace, Assert.Throws<DaosException>(() => f.Write(950, new byte[100])).Error);
        medium.FailWrite = (name, offset, length) => offset == 0;
        Assert.Equal(DaosError.IO, Assert.Throws<DaosException>(() => f.Write(0, new byte[1])).Error);
        f.Write(1, new byte[1]);
    }

    private static void Write(SimulatedMedium medium, string name, string text)
    {
        using IMediumFile f = medium.OpenFile(name, MediumOpenMode.OpenOrCreate);
        f.SetLength(0);
        f.Write(0, System.Text.Encoding.ASCII.GetBytes(text));
        f.Flush();
    }

    private static byte[] Filled(int length, int salt)
    {
        byte[] data = new byte[length];
        new DeterministicRandom((ulong)salt + 1000).NextBytes(data);
        return data;
    }
}
