using BenchmarkDotNet.Attributes;
using Daos.Storage;
using Daos.Vos;

namespace Daos.Bench.Vos;

/// <summary>
/// Single-target VOS update and fetch on real files with 16-byte dkeys: each update is durable before it returns
/// (one heap WAL barrier; blob values up to 64 KiB ride in the WAL record, larger ones add one blob barrier before
/// it). Baseline: a raw loop writing the
/// same number of value bytes sequentially with one fdatasync per write, over a file written in full beforehand (so
/// no write allocates), in the same directory. Keys cycle over
/// 64 dkeys at rising epochs; history is aggregated between iterations (outside the measurement).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 4)]
public class VosBenchmarks
{
    private const int Keys = 64;
    private static readonly ObjectId Oid = ObjectId.Create(ObjectType.MultiHashed, ObjectClass.S1, 1);
    private readonly byte[][] _dkeys = new byte[Keys][];
    private readonly byte[] _akey = "value"u8.ToArray();
    private string _directory = "";
    private VosPool? _pool;
    private VosContainer? _container;
    private IMediumFile? _raw;
    private long _rawOffset;
    private byte[] _value = [];
    private ulong _epoch;
    private int _next;

    [Params(64, 4096, 1024 * 1024)]
    public int ValueBytes { get; set; }

    private int Operations => ValueBytes >= 1 << 20 ? 16 : 256;

    [GlobalSetup]
    public void Setup()
    {
        _directory = BenchDirectory.Create("vos");
        _pool = VosPool.CreateAsync(Path.Combine(_directory, "pool"), new VosPoolOptions
        {
            HeapSizeBytes = 256L << 20,
            WalSizeBytes = 64L << 20,
            BlobSizeBytes = 1L << 30,
        }).AsTask().GetAwaiter().GetResult();
        _container = _pool.CreateContainerAsync(Guid.Parse("00000000-0000-4000-8000-0000000000be")).AsTask().GetAwaiter().GetResult();
        for (int i = 0; i < Keys; i++)
        {
            _dkeys[i] = new byte[16];
            BitConverter.TryWriteBytes(_dkeys[i], (ulong)i * 0x9E3779B97F4A7C15);
        }

        _value = new byte[ValueBytes];
        new DeterministicRandom(5).NextBytes(_value);
        for (int i = 0; i < Keys; i++)
        {
            Update();
        }

        var medium = FileMedium.Open(_directory);
        _raw = medium.OpenFile("raw.log", MediumOpenMode.CreateNew);
        // Write the whole file once, so the measured writes overwrite allocated blocks as the VOS WAL and blob do.
        byte[] zeros = new byte[1 << 20];
        for (long at = 0; at < 256L << 20; at += zeros.Length)
        {
            _raw.Write(at, zeros);
        }

        _raw.Flush();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw?.Dispose();
        _pool?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
    }

    [IterationCleanup]
    public void AggregateHistory() => _container!.AggregateAsync(new Epoch(_epoch)).AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true)]
    public void RawWriteAndFdatasync()
    {
        for (int i = 0; i < Operations; i++)
        {
            _raw!.Write(_rawOffset, _value);
            _raw.Flush();
            _rawOffset = (_rawOffset + _value.Length) % (256L << 20);
        }
    }

    [Benchmark]
    public void VosUpdate()
    {
        for (int i = 0; i < Operations; i++)
        {
            Update();
        }
    }

    [Benchmark]
    public void VosFetch()
    {
        var epoch = new Epoch(_epoch);
        for (int i = 0; i < Operations; i++)
        {
            byte[]? value = _container!.FetchAsync(Oid, epoch, _dkeys[_next++ % Keys], _akey).AsTask().GetAwaiter().GetResult();
            if (value is null || value.Length != ValueBytes)
            {
                throw new InvalidOperationException("fetch found nothing");
            }
        }
    }

    private void Update()
    {
        _epoch++;
        _container!.UpdateAsync(Oid, new Epoch(_epoch), _dkeys[_next++ % Keys], _akey, _value).AsTask().GetAwaiter().GetResult();
    }
}
