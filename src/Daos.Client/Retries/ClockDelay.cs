namespace Daos.Client.Retries;

/// <summary>
/// A pause on a <see cref="TimeProvider"/>'s timer whose awaiter resumes inside the timer callback. Unlike
/// <c>Task.Delay(delay, timeProvider)</c>, whose task resumes continuations through the thread pool, this keeps a client
/// driven by a simulated clock on the thread that advances the clock (the harness's deterministic scheduler).
/// </summary>
internal static class ClockDelay
{
    public static Task WaitAsync(TimeProvider time, TimeSpan delay, CancellationToken cancellationToken)
    {
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
