using System.Threading.Tasks.Sources;

namespace Daos.Transport.Rpc;

/// <summary>
/// A request waiting for its response: a reusable <see cref="IValueTaskSource{TResult}"/>, so awaiting a response
/// allocates nothing. Exactly one of response, timeout, cancellation or connection loss completes it: whoever
/// removes it from the connection's table.
/// </summary>
internal sealed class PendingRequest(RpcConnection owner) : IValueTaskSource<RpcResponse>
{
    private ManualResetValueTaskSourceCore<RpcResponse> _core = new() { RunContinuationsAsynchronously = true };

    public RpcConnection Owner { get; } = owner;

    public ulong RequestId { get; set; }

    public long DeadlineTimestamp { get; set; }

    public CancellationToken CancellationToken { get; set; }

    public CancellationTokenRegistration Registration { get; set; }

    public short Version => _core.Version;

    public void Complete(RpcResponse response) => _core.SetResult(response);

    public void Fail(Exception error) => _core.SetException(error);

    public RpcResponse GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            // Dispose waits for a cancellation callback that is running on another thread, so this object is
            // never reused while a callback might still read its request id.
            Registration.Dispose();
            Registration = default;
            CancellationToken = default;
            _core.Reset();
            Owner.ReturnPending(this);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
