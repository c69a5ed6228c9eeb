using BenchmarkDotNet.Attributes;
using Daos.Storage;
using Daos.Vos;

namespace Daos.Bench.Vos;

/// <summary>
/// Opening a VOS pool from its files (checkpointed: nothing to replay) holding 10,000 or 200,000 single-value records
/// (10 per object: 2 dkeys at 5 epochs, 64-byte values) in one container. <c>Open</c>: open the pool and the
/// container, close. <c>OpenAndFetch</c>: the same plus one fetch, which reads that object's records from its list.
/// The pool is built through a medium whose flushes do nothing (setup only; the files are complete when the pool is
/// closed), because building 200,000 durable updates one fsync at a time would take longer than the measurement.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 7)]
public class VosOpenBenchmarks
{
    private const int DkeysPerObject = 2;
    private const int Epochs = 5;
    private static readonly Guid ContainerId = Guid.Parse("00000000-0000-4000-8000-00000000090e");
    private static readonly byte[] Akey = "akey"u8.ToArray();
    private string _directory = "";
    private FileMedium? _medium;

    [Params(10_000, 200_000)]
    public int Records { get; set; }

    private int Objects => Records / (DkeysPerObject * Epochs);

    private static ObjectId Oid(int i) => ObjectId.Create(ObjectType.MultiHashed, ObjectClass.S1, (ulong)i + 1);

    private static byte[] Dkey(int d) => BitConverter.GetBytes((ulong)d * 0x9E3779B97F4A7C15);

    [GlobalSetup]
    public void Setup()
    {
        _directory = BenchDirectory.Create("vos-open");
        _medium = FileMedium.Open(_directory);
        var options = new VosPoolOptions { HeapSizeBytes = 256L << 20, WalSizeBytes = 64L << 20, BlobSizeBytes = 1L << 20 };
        VosPool pool = VosPool.CreateAsync(new UnsyncedMedium(_medium), options).AsTask().GetAwaiter().GetResult();
        VosContainer container = pool.CreateContainerAsync(ContainerId).AsTask().GetAwaiter().GetResult();
        byte[] value = new byte[64];
        for (int i = 0; i < Objects; i++)
        {
            for (int d = 0; d < DkeysPerObject; d++)
            {
                for (ulong e = 1; e <= Epochs; e++)
                {
                    BitConverter.TryWriteBytes(value, i);
                    container.UpdateAsync(Oid(i), new Epoch(e), Dkey(d), Akey, value).AsTask().GetAwaiter().GetResult();
                }
            }
        }

        pool.CheckpointAsync().AsTask().GetAwaiter().GetResult();
        pool.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Console.WriteLine($"// {Records} records in {Objects} objects built");
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    [Benchmark(Baseline = true)]
    public int Open()
    {
        VosPool pool = VosPool.OpenAsync(_medium!, null).AsTask().GetAwaiter().GetResult();
        VosContainer container = pool.OpenContainerAsync(ContainerId).AsTask().GetAwaiter().GetResult();
        int opened = container.Id == ContainerId ? 1 : 0;
        pool.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return opened;
    }

    [Benchmark]
    public int OpenAndFetch()
    {
        VosPool pool = VosPool.OpenAsync(_medium!, null).AsTask().GetAwaiter().GetResult();
        VosContainer container = pool.OpenContainerAsync(ContainerId).AsTask().GetAwaiter().GetResult();
        byte[]? value = container.FetchAsync(Oid(Objects / 2), new Epoch(9), Dkey(1), Akey).AsTask().GetAwaiter().GetResult();
        pool.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return value!.Length;
    }

    /// <summary>A medium whose flushes do nothing: for building a large pool quickly in setup, never for a measurement.</summary>
    private sealed class UnsyncedMedium(IStorageMedium inner) : IStorageMedium
    {
        public string Location => inner.Location;

        public IMediumFile OpenFile(string name, MediumOpenMode mode) => new UnsyncedFile(inner.OpenFile(name, mode));

        public bool FileExists(string name) => inner.FileExists(name);

        public IReadOnlyList<string> ListFiles() => inner.ListFiles();

        public void DeleteFile(string name) => inner.DeleteFile(name);

        public void RenameFile(string source, string destination) => inner.RenameFile(source, destination);

        public void SyncDirectory()
        {
        }
    }

    private sealed class UnsyncedFile(IMediumFile inner) : IMediumFile
    {
        public string Name => inner.Name;

        public long Length => inner.Length;

        public int Read(long offset, Span<byte> destination) => inner.Read(offset, destination);

        public void Write(long offset, ReadOnlySpan<byte> source) => inner.Write(offset, source);

        public ValueTask<int> ReadAsync(long offset, Memory<byte> destination, CancellationToken ct = default) =>
            inner.ReadAsync(offset, destination, ct);

        public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> source, CancellationToken ct = default) =>
            inner.WriteAsync(offset, source, ct);

        public void SetLength(long length) => inner.SetLength(length);

        public void Flush()
        {
        }

        public ValueTask FlushAsync(CancellationToken ct = default) => ValueTask.CompletedTask;

        public void Dispose() => inner.Dispose();
    }
}
