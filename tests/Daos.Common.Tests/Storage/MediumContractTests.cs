using Daos.Harness.Storage;
using Daos.Storage;

namespace Daos.Common.Tests.Storage;

/// <summary>The behaviour every <see cref="IStorageMedium"/> must share; run against the real and the simulated one.</summary>
public abstract class MediumContractTests : IDisposable
{
    protected abstract IStorageMedium Medium { get; }

    public virtual void Dispose() => GC.SuppressFinalize(this);

    [Fact]
    public void Write_then_read_back_at_offsets()
    {
        using IMediumFile f = Medium.OpenFile("a", MediumOpenMode.CreateNew);
        f.Write(0, "hello"u8);
        f.Write(10, "world"u8);
        Assert.Equal(15, f.Length);
        byte[] buffer = new byte[15];
        Assert.Equal(15, f.Read(0, buffer));
        Assert.Equal("hello\0\0\0\0\0world"u8.ToArray(), buffer);
        Assert.Equal(5, f.Read(10, new byte[100]));
        Assert.Equal(0, f.Read(100, new byte[10]));
    }

    [Fact]
    public async Task Async_reads_and_writes_match_sync_ones()
    {
        using IMediumFile f = Medium.OpenFile("b", MediumOpenMode.OpenOrCreate);
        await f.WriteAsync(4096, new byte[] { 1, 2, 3 });
        await f.FlushAsync();
        byte[] buffer = new byte[3];
        Assert.Equal(3, await f.ReadAsync(4096, buffer));
        Assert.Equal(new byte[] { 1, 2, 3 }, buffer);
        Assert.Equal(4099, f.Length);
    }

    [Fact]
    public void SetLength_truncates_and_extends_with_zeros()
    {
        using IMediumFile f = Medium.OpenFile("c", MediumOpenMode.CreateNew);
        f.Write(0, new byte[] { 9, 9, 9, 9, 9, 9, 9, 9 });
        f.SetLength(3);
        Assert.Equal(3, f.Length);
        f.SetLength(8);
        byte[] buffer = new byte[8];
        f.Read(0, buffer);
        Assert.Equal(new byte[] { 9, 9, 9, 0, 0, 0, 0, 0 }, buffer);
        f.Flush();
    }

    [Fact]
    public void Open_modes_enforce_existence()
    {
        Assert.Equal(DaosError.NonExistent,
            Assert.Throws<DaosException>(() => Medium.OpenFile("missing", MediumOpenMode.OpenExisting)).Error);
        Medium.OpenFile("d", MediumOpenMode.CreateNew).Dispose();
        Assert.Equal(DaosError.Exists, Assert.Throws<DaosException>(() => Medium.OpenFile("d", MediumOpenMode.CreateNew)).Error);
        Medium.OpenFile("d", MediumOpenMode.OpenExisting).Dispose();
        Medium.OpenFile("d", MediumOpenMode.OpenOrCreate).Dispose();
    }

    [Fact]
    public void Directory_operations()
    {
        using (IMediumFile f = Medium.OpenFile("x", MediumOpenMode.CreateNew))
        {
            f.Write(0, "payload"u8);
            f.Flush();
        }

        Medium.OpenFile("y", MediumOpenMode.CreateNew).Dispose();
        Assert.Equal(new[] { "x", "y" }, Medium.ListFiles());
        Medium.RenameFile("x", "y");
        Medium.SyncDirectory();
        Assert.Equal(new[] { "y" }, Medium.ListFiles());
        using (IMediumFile f = Medium.OpenFile("y", MediumOpenMode.OpenExisting))
        {
            byte[] buffer = new byte[7];
            f.Read(0, buffer);
            Assert.Equal("payload"u8.ToArray(), buffer);
        }

        Medium.DeleteFile("y");
        Medium.DeleteFile("y");
        Assert.False(Medium.FileExists("y"));
        Assert.Empty(Medium.ListFiles());
        Assert.Equal(DaosError.NonExistent, Assert.Throws<DaosException>(() => Medium.RenameFile("y", "z")).Error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("a\\b")]
    public void Bad_names_are_rejected(string name) =>
        Assert.Equal(DaosError.InvalidArgument,
            Assert.Throws<DaosException>(() => Medium.OpenFile(name, MediumOpenMode.OpenOrCreate)).Error);
}

public sealed class FileMediumContractTests : MediumContractTests
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "daos-medium-" + Environment.ProcessId + "-" + Interlocked.Increment(ref s_counter));
    private static int s_counter;

    public FileMediumContractTests() => Medium = FileMedium.Open(_directory);

    protected override IStorageMedium Medium { get; }

    public override void Dispose()
    {
        Directory.Delete(_directory, recursive: true);
        base.Dispose();
    }

    [Fact]
    public void Open_creates_nested_directories()
    {
        string nested = Path.Combine(_directory, "one", "two");
        FileMedium medium = FileMedium.Open(nested);
        Assert.True(Directory.Exists(nested));
        Assert.Equal(nested, medium.Location);
    }
}

public sealed class SimulatedMediumContractTests : MediumContractTests
{
    protected override IStorageMedium Medium { get; } = new SimulatedMedium();
}
