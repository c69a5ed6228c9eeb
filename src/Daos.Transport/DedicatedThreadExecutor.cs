using System.Collections.Concurrent;

namespace Daos.Transport;

/// <summary>
/// A single-threaded executor on a thread of its own: the shape of an engine target's executor, where everything
/// posted runs in order on that one thread. Posts after <see cref="Dispose"/> are dropped, like work sent to a
/// target that has stopped.
/// </summary>
public sealed class DedicatedThreadExecutor : IRpcExecutor, IDisposable
{
    private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _queue = [];
    private readonly Thread _thread;

    /// <summary>Starts the executor's background thread, named <paramref name="name"/>.</summary>
    public DedicatedThreadExecutor(string name)
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <inheritdoc/>
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

    /// <summary>Stops taking work, runs what was already posted, and joins the thread.</summary>
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
