using System.Diagnostics;
using System.Globalization;

namespace Daos.Bench.Cluster;

/// <summary>
/// Progress of a long phase: workers add what they finished; once a second a line with the count so far and the rate
/// goes to <paramref name="output"/> (standard error in the tools, so standard output stays a clean table).
/// </summary>
internal sealed class PhaseProgress : IDisposable
{
    private readonly string _label;
    private readonly long _total;
    private readonly string _unit;
    private readonly long _unitDivisor;
    private readonly TextWriter _output;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Timer? _timer;
    private long _done;

    public PhaseProgress(string label, long total, string unit, long unitDivisor, TextWriter output)
    {
        _label = label;
        _total = total;
        _unit = unit;
        _unitDivisor = unitDivisor;
        _output = output;
        if (output != TextWriter.Null)
        {
            _timer = new Timer(static s => ((PhaseProgress)s!).Print(), this, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        }
    }

    public void Add(long amount) => Interlocked.Add(ref _done, amount);

    public void Dispose() => _timer?.Dispose();

    private void Print()
    {
        long done = Interlocked.Read(ref _done);
        double seconds = Math.Max(_clock.Elapsed.TotalSeconds, 1e-3);
        lock (_output)
        {
            _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    {_label}: {done / _unitDivisor:N0} / {_total / _unitDivisor:N0} {_unit} ({done / _unitDivisor / seconds:N0} {_unit}/s)"));
        }
    }
}
