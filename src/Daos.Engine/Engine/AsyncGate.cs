namespace Daos.Engine.Engine;

/// <summary>
/// A one-at-a-time gate for async code: <see cref="WaitAsync"/> enters (at once if free, else in arrival order),
/// <see cref="Release"/> hands the gate to the next waiter. It replaces a <c>SemaphoreSlim(1, 1)</c> because a
/// semaphore's cancellable wait resumes its caller through the thread pool, whatever context the caller awaited on:
/// here a waiter resumes on the context it awaited from (the deterministic scheduler in simulations) and, when it
/// has none, on the thread pool, never inside <see cref="Release"/>.
/// </summary>
/// <remarks>Thread-safe. Not reentrant.</remarks>
internal sealed class AsyncGate
{
    private readonly Lock _lock = new();
    private readonly Queue<Waiter> _waiters = new();
    private bool _held;

    /// <summary>Enters the gate; a cancelled wait leaves the queue and throws <see cref="OperationCanceledException"/>.</summary>
    public Task WaitAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Waiter waiter;
        lock (_lock)
        {
            if (!_held)
            {
                _held = true;
                return Task.CompletedTask;
            }

            waiter = new Waiter();
            _waiters.Enqueue(waiter);
        }

        if (cancellationToken.CanBeCanceled)
        {
            // Cancellation only marks the waiter: Release skips cancelled waiters, so the gate is never handed to one.
            waiter.Registration = cancellationToken.Register(static (state, token) => ((Waiter)state!).Completion.TrySetCanceled(token), waiter);
        }

        return waiter.Completion.Task;
    }

    /// <summary>Enters the gate if it is free now, without waiting.</summary>
    /// <returns>True when the caller now holds the gate (and must <see cref="Release"/> it).</returns>
    public bool TryEnter()
    {
        lock (_lock)
        {
            if (_held)
            {
                return false;
            }

            _held = true;
            return true;
        }
    }

    /// <summary>Leaves the gate: the longest-waiting live waiter enters next.</summary>
    /// <exception cref="InvalidOperationException">The gate was not held.</exception>
    public void Release()
    {
        while (true)
        {
            Waiter? next;
            lock (_lock)
            {
                if (!_held)
                {
                    throw new InvalidOperationException("the gate is not held");
                }

                if (!_waiters.TryDequeue(out next))
                {
                    _held = false;
                    return;
                }
            }

            next.Registration.Dispose();
            if (next.Completion.TrySetResult())
            {
                return;
            }
        }
    }

    private sealed class Waiter
    {
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Registration { get; set; }
    }
}
