using BenchmarkDotNet.Attributes;

namespace Daos.Bench.Common;

/// <summary>
/// Throughput of the checksums every record and frame carries. The baseline, a plain 64-bit summing loop over
/// the same bytes, marks what memory bandwidth allows on the machine in the same run.
/// </summary>
[MemoryDiagnoser]
public class ChecksumBenchmarks
{
    private byte[] _data = [];

    [Params(64, 4096, 1 << 20)]
    public int SizeBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[SizeBytes];
        new DeterministicRandom(1).NextBytes(_data);
    }

    [Benchmark(Baseline = true)]
    public ulong ByteSum()
    {
        ulong sum = 0;
        foreach (ulong v in System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(_data))
        {
            sum += v;
        }

        return sum;
    }

    [Benchmark]
    public ulong XxHash64Hash() => XxHash64.Hash(_data);

    [Benchmark]
    public uint Crc32CCompute() => Crc32C.Compute(_data);

    [Benchmark]
    public ulong Crc64Compute() => Crc64.Compute(_data);
}
