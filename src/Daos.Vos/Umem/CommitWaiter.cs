using System.Threading.Tasks.Sources;

namespace Daos.Vos.Umem;

/// <summary>
/// The pooled completion behind a commit's <see cref="ValueTask"/>: completed by the WAL once the commit's record
/// is durable. The awaiter may read the result on any thread, so it only marks the waiter consumed; the WAL, on
/// its owner thread, recycles consumed waiters. No allocation per commit once warm.
/// </summary>
internal sealed class CommitWaiter : IValueTaskSource
{
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private volatile bool _consumed;

    public ulong Sequence { get; set; }

    /// <summary>True once the awaiter has read the result: the owner may reset and reuse it.</summary>
    public bool Consumed => _consumed;

    /// <summary>Owner thread: makes a consumed waiter ready for another commit.</summary>
    public void Reset()
    {
        _core.Reset();
        _consumed = false;
    }

    public short Version => _core.Version;

    public void Complete() => _core.SetResult(true);

    public void Fail(Exception error) => _core.SetException(error);

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

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
