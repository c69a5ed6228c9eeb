namespace Daos.Transport.Rpc;

/// <summary>
/// Starts the transport's long-running loops (accept, receive, socket pumps) on a chosen synchronization context
/// instead of the caller's. Without this, a loop started from, say, a UI or test-framework context would run every
/// continuation there; with it, loops run on the thread pool (null) or, in the harness, on the deterministic
/// scheduler.
/// </summary>
internal static class Loops
{
    public static Task Start(Func<Task> loop, SynchronizationContext? context)
    {
        SynchronizationContext? previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(context);
        try
        {
            return loop();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }
}
