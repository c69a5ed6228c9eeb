using System.IO.Pipelines;

namespace Daos.Transport.InProcess;

/// <summary>One end of an in-process connection: reads one pipe, writes the other.</summary>
internal sealed class InProcessConnection(PipeReader input, PipeWriter output, string remoteDescription) : ITransportConnection
{
    private int _aborted;

    public PipeReader Input { get; } = input;

    public PipeWriter Output { get; } = output;

    public string RemoteDescription { get; } = remoteDescription;

    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) == 0)
        {
            var reset = new DaosException(DaosError.Unreachable, "in-process connection aborted");
            // Completing our writer ends the peer's reads; cancelling our pending read makes our reader stop, and
            // its owner completes it, which in turn completes the peer's writes.
            Output.Complete(reset);
            Input.CancelPendingRead();
        }
    }

    public ValueTask DisposeAsync()
    {
        Abort();
        return ValueTask.CompletedTask;
    }
}
