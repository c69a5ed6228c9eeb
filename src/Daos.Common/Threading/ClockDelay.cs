namespace Daos.Threading;

/// <summary>
/// A pause on a <see cref="TimeProvider"/>'s own timer, so simulated time drives every wait. Unlike
/// <c>Task.Delay(delay, timeProvider)</c>, whose task resumes its continuations through the thread pool, the awaiting
/// code resumes on its own synchronization context (the harness's deterministic scheduler in simulations) or, with
/// none, inside the timer callback.
/// </summary>
public static class ClockDelay
{
    /// <summary>Completes once <paramref name="delay"/> has passed on <paramref name="time"/> (at once when not positive).</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public static Task WaitAsync(TimeProvider time, TimeSpan delay, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(time);
        cancellationToken.ThrowIfCancellationRequested();
        if (delay <= TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }

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
