namespace Daos.Engine.Engine;

/// <summary>Waiting through the injected clock (a timer from the <see cref="TimeProvider"/>), so simulated time drives every pause.</summary>
internal static class Waits
{
    public static Task DelayAsync(TimeProvider time, TimeSpan delay, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ITimer timer = time.CreateTimer(static state => ((TaskCompletionSource)state!).TrySetResult(), completion, delay, Timeout.InfiniteTimeSpan);
        CancellationTokenRegistration registration = cancellationToken.Register(static state => ((TaskCompletionSource)state!).TrySetCanceled(), completion);
        return completion.Task.ContinueWith(
            static (task, state) =>
            {
                (ITimer t, CancellationTokenRegistration r) = ((ITimer, CancellationTokenRegistration))state!;
                t.Dispose();
                r.Dispose();
                return task;
            },
            (timer, registration), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).Unwrap();
    }
}
