using System.Threading.Tasks.Sources;

namespace Daos.Vos.Umem;

/// <summary>
/// The pooled completion behind a commit's <see cref="ValueTask"/>: completed by the WAL once the commit's record
/// is durable, returned to the pool when the awaiter reads the result. No allocation per commit once warm.
/// </summary>
internal sealed class CommitWaiter : IValueTaskSource
{
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private readonly Stack<CommitWaiter> _pool;

    public CommitWaiter(Stack<CommitWaiter> pool) => _pool = pool;

    public ulong Sequence { get; set; }

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
            _core.Reset();
            _pool.Push(this);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
