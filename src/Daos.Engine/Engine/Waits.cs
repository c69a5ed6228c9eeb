namespace Daos.Engine.Engine;

/// <summary>
/// Waiting through the injected clock (a timer from the <see cref="TimeProvider"/>), so simulated time drives every
/// pause. The awaiting code resumes on its own synchronization context (the deterministic scheduler's in simulations).
/// </summary>
internal static class Waits
{
    public static Task DelayAsync(TimeProvider time, TimeSpan delay, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var wait = new Wait();
        wait.Timer = time.CreateTimer(static state => ((Wait)state!).Finish(canceled: false), wait, delay, Timeout.InfiniteTimeSpan);
        wait.Registration = cancellationToken.Register(static state => ((Wait)state!).Finish(canceled: true), wait);
        return wait.Completion.Task;
    }

    private sealed class Wait
    {
        public TaskCompletionSource Completion { get; } = new();

        public ITimer? Timer { get; set; }

        public CancellationTokenRegistration Registration { get; set; }

        public void Finish(bool canceled)
        {
            bool won = canceled ? Completion.TrySetCanceled() : Completion.TrySetResult();
            if (won)
            {
                Timer?.Dispose();
                Registration.Dispose();
            }
        }
    }
}
