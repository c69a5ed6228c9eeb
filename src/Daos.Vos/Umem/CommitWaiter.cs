using System.Threading.Tasks.Sources;

namespace Daos.Vos.Umem;

/// <summary>
/// The pooled completion behind a commit's <see cref="ValueTask"/>: completed by the WAL once the commit's record
/// is durable. The awaiter may read the result on any thread, so it only marks the waiter consumed; the WAL, on
/// its owner thread, recycles consumed waiters. No allocation per commit once warm.
/// </summary>
/// <remarks>
/// Where the awaiter resumes: on the thread pool (never inside the WAL's flush) when the owner thread has no
/// synchronization context, as on a target's dedicated thread. When it has one (the deterministic scheduler's, in
/// simulations), the completion is posted to that context and the awaiter resumes inline in the posted item, with the
/// context cleared while it runs: VOS awaits with <c>ConfigureAwait(false)</c>, and a continuation finished on a thread
/// that carries a context is otherwise queued to the thread pool, off the scheduler.
/// </remarks>
internal sealed class CommitWaiter : IValueTaskSource
{
    private static readonly SendOrPostCallback s_completeOnOwner = static state => ((CommitWaiter)state!).CompleteOnOwner();

    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private volatile bool _consumed;
    private SynchronizationContext? _owner;
    private Exception? _failure;

    /// <summary>Owner thread: a waiter armed for the owner's context.</summary>
    public CommitWaiter() => Arm();

    public ulong Sequence { get; set; }

    /// <summary>True once the awaiter has read the result: the owner may reset and reuse it.</summary>
    public bool Consumed => _consumed;

    /// <summary>Owner thread: makes a consumed waiter ready for another commit.</summary>
    public void Reset()
    {
        _core.Reset();
        _consumed = false;
        Arm();
    }

    public short Version => _core.Version;

    public void Complete()
    {
        if (_owner is { } owner)
        {
            owner.Post(s_completeOnOwner, this);
        }
        else
        {
            _core.SetResult(true);
        }
    }

    public void Fail(Exception error)
    {
        if (_owner is { } owner)
        {
            _failure = error;
            owner.Post(s_completeOnOwner, this);
        }
        else
        {
            _core.SetException(error);
        }
    }

    public void GetResult(short token)
    {
        try
        {
            _core.GetResult(token);
        }
        finally
        {
            _consumed = true;
        }
    }

    // The owner thread's context, if it has one of its own (a bare SynchronizationContext is no context).
    private void Arm()
    {
        SynchronizationContext? current = SynchronizationContext.Current;
        _owner = current is not null && current.GetType() != typeof(SynchronizationContext) ? current : null;
        _core.RunContinuationsAsynchronously = _owner is null;
        _failure = null;
    }

    private void CompleteOnOwner()
    {
        SynchronizationContext? previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            if (_failure is { } failure)
            {
                _core.SetException(failure);
            }
            else
            {
                _core.SetResult(true);
            }
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
