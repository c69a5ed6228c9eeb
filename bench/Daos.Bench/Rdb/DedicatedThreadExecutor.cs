using System.Collections.Concurrent;
using Daos.Transport;

namespace Daos.Bench.Rdb;

/// <summary>A single-threaded executor on its own thread, standing in for an engine target's executor.</summary>
internal sealed class DedicatedThreadExecutor : IRpcExecutor, IDisposable
{
    private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _queue = [];
    private readonly Thread _thread;

    public DedicatedThreadExecutor(string name)
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public void Post(SendOrPostCallback callback, object? state)
    {
        if (!_queue.IsAddingCompleted)
        {
            try
            {
                _queue.Add((callback, state));
            }
            catch (InvalidOperationException)
            {
                // Completed concurrently: the executor is gone, like a killed target.
            }
        }
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        _thread.Join();
        _queue.Dispose();
    }

    private void Loop()
    {
        foreach ((SendOrPostCallback callback, object? state) in _queue.GetConsumingEnumerable())
        {
            callback(state);
        }
    }
}
