namespace Daos.Transport;

/// <summary>Ready-made executors and selectors.</summary>
public static class RpcExecutors
{
    /// <summary>Runs handlers on the connection's receive loop: lowest latency, but a slow handler stalls that
    /// connection. For tests, benchmarks and handlers that only hand work on.</summary>
    public static IRpcExecutor Inline { get; } = new InlineExecutor();

    /// <summary>Runs handlers on the thread pool.</summary>
    public static IRpcExecutor ThreadPool { get; } = new ThreadPoolExecutor();

    /// <summary>Posts handlers to <paramref name="context"/> (the harness's deterministic scheduler uses this).</summary>
    public static IRpcExecutor FromSynchronizationContext(SynchronizationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new ContextExecutor(context);
    }

    /// <summary>A selector that sends every target to <paramref name="executor"/>.</summary>
    public static IRpcExecutorSelector Everywhere(IRpcExecutor executor)
    {
        ArgumentNullException.ThrowIfNull(executor);
        return new SingleSelector(executor);
    }

    private sealed class InlineExecutor : IRpcExecutor
    {
        public void Post(SendOrPostCallback callback, object? state) => callback(state);
    }

    private sealed class ThreadPoolExecutor : IRpcExecutor
    {
        public void Post(SendOrPostCallback callback, object? state) =>
            System.Threading.ThreadPool.UnsafeQueueUserWorkItem(static s => s.callback(s.state), (callback, state), preferLocal: false);
    }

    private sealed class ContextExecutor(SynchronizationContext context) : IRpcExecutor
    {
        public void Post(SendOrPostCallback callback, object? state) => context.Post(callback, state);
    }

    private sealed class SingleSelector(IRpcExecutor executor) : IRpcExecutorSelector
    {
        public IRpcExecutor? Select(uint target) => executor;
    }
}
