using BenchmarkDotNet.Attributes;
using Daos.Storage;
using Daos.Vos.Bio;
using Daos.Vos.Umem;
using Microsoft.Win32.SafeHandles;

namespace Daos.Bench.Vos;

/// <summary>
/// Blob store bandwidth for 4 KiB, 128 KiB and 1 MiB writes and reads. One operation moves 64 MiB. Baseline: a raw
/// <see cref="RandomAccess"/> loop over a file of the same size in the same directory. The blob write path is
/// reserve (in memory) + write straight from the caller's buffer; both end with one fdatasync; the reservations
/// are canceled afterwards so the next round finds the space again. Reads go straight into the caller's buffer.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 6)]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory, BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByParams)]
public class BlobBenchmarks
{
    private const long TotalBytes = 64L << 20;
    private string _directory = "";
    private UmemHeap? _heap;
    private BlobStore? _blobs;
    private SafeFileHandle? _raw;
    private IMediumFile? _rawMedium;
    private byte[] _buffer = [];
    private readonly List<BlobReservation> _reservations = [];

    [Params(4096, 128 * 1024, 1024 * 1024)]
    public int IoBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = BenchDirectory.Create("blob");
        var medium = FileMedium.Open(_directory);
        _heap = UmemHeap.Create(medium, "target", new UmemOptions { HeapSizeBytes = 16L << 20, WalSizeBytes = 16L << 20, TimeProvider = TimeProvider.System });
        _blobs = BlobStore.CreateAsync(medium, "target", _heap, TotalBytes / 4096).AsTask().GetAwaiter().GetResult();
        _rawMedium = medium.OpenFile("raw.blob", MediumOpenMode.CreateNew);
        _rawMedium.SetLength(TotalBytes);
        _rawMedium.Flush();
        _raw = File.OpenHandle(Path.Combine(_directory, "raw.blob"), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        _buffer = GC.AllocateUninitializedArray<byte>(IoBytes, pinned: true);
        new DeterministicRandom(3).NextBytes(_buffer);
        RawWrite();
        BlobWrite().AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw?.Dispose();
        _rawMedium?.Dispose();
        _blobs?.Dispose();
        _heap?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("write")]
    public void RawWrite()
    {
        for (long offset = 0; offset < TotalBytes; offset += IoBytes)
        {
            RandomAccess.Write(_raw!, _buffer, offset);
        }

        _rawMedium!.Flush();
    }

    [Benchmark]
    [BenchmarkCategory("write")]
    public async ValueTask BlobWrite()
    {
        long blocks = IoBytes / 4096;
        for (long offset = 0; offset < TotalBytes; offset += IoBytes)
        {
            if (!_blobs!.TryReserve(blocks, out BlobReservation? reservation))
            {
                throw new InvalidOperationException("blob full");
            }

            await _blobs.WriteAsync(reservation!, 0, _buffer);
            _reservations.Add(reservation!);
        }

        await _blobs!.FlushAsync();
        foreach (BlobReservation reservation in _reservations)
        {
            _blobs.Cancel(reservation);
        }

        _reservations.Clear();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("read")]
    public void RawRead()
    {
        for (long offset = 0; offset < TotalBytes; offset += IoBytes)
        {
            RandomAccess.Read(_raw!, _buffer, offset);
        }
    }

    [Benchmark]
    [BenchmarkCategory("read")]
    public async ValueTask BlobRead()
    {
        long blocks = IoBytes / 4096;
        for (long block = 0; block < TotalBytes / 4096; block += blocks)
        {
            await _blobs!.ReadAsync(block, _buffer);
        }
    }
}
