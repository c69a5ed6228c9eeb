using System.Runtime.CompilerServices;
using Daos.Buffers;
using Daos.Transport.Messages;
using Microsoft.Extensions.Logging;

namespace Daos.Transport.Rpc;

/// <summary>
/// One request being served: the copied body, the handler and a response writer. Pooled per connection; posted
/// to the executor chosen for the target with a cached static callback (no closure per request).
/// </summary>
internal sealed class ServerCall : IDisposable
{
    public static readonly SendOrPostCallback RunCallback = static state => ((ServerCall)state!).Start();

    private readonly RpcConnection connection;
    private readonly PooledBufferWriter _response = new(256);
    private readonly Action _finish;
    private PooledBuffer _body;
    private ValueTask _running;

    public ServerCall(RpcConnection connection)
    {
        this.connection = connection;
        _finish = Finish;
    }

    public FrameHeader Header { get; private set; }

    public RpcHandler? Handler { get; private set; }

    public void Prepare(in FrameHeader header, RpcHandler handler, PooledBuffer body)
    {
        Header = header;
        Handler = handler;
        _body = body;
        _response.Reset();
    }

    public void Dispose() => _response.Dispose();

    private void Start()
    {
        // RunAsync never faults; observing it returns its pooled state machine, and only then is this call
        // handed back to the connection for reuse.
#pragma warning disable CA2012 // Stored once and consumed exactly once, by Finish.
        _running = RunAsync();
#pragma warning restore CA2012
        if (_running.IsCompleted)
        {
            Finish();
        }
        else
        {
            _running.GetAwaiter().UnsafeOnCompleted(_finish);
        }
    }

    private void Finish()
    {
        _running.GetAwaiter().GetResult();
        _running = default;
        connection.OnServerCallFinished(this);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask RunAsync()
    {
        FrameHeader header = Header;
        DaosError status;
        try
        {
            var request = new RpcRequest(header.Opcode, header.Target, header.RequestId, header.Token,
                _body.Memory, connection.RemoteDescription);
            status = await Handler!(request, _response, connection.ClosingToken);
            if (_response.WrittenCount > connection.Options.FrameBodyMaxBytes)
            {
                status = DaosError.Overflow;
                WriteReason("response body longer than the frame limit");
            }
        }
        catch (DaosException e)
        {
            status = e.Error == DaosError.None ? DaosError.Miscellaneous : e.Error;
            // The client rebuilds a DaosException with the same code, which appends the code again: send the bare text.
            string suffix = $" ({e.Error.ToDerName()}({e.Error.ToReturnCode()}))";
            WriteReason(e.Message.EndsWith(suffix, StringComparison.Ordinal) ? e.Message[..^suffix.Length] : e.Message);
        }
        catch (OperationCanceledException)
        {
            status = DaosError.Canceled;
            WriteReason("handler canceled");
        }
        catch (Exception e)
        {
            connection.Logger.HandlerFailed(header.Opcode, e);
            status = DaosError.Miscellaneous;
            WriteReason(e.GetType().Name + ": " + e.Message);
        }

        try
        {
            if (!header.IsOneWay)
            {
                await connection.SendResponseAsync(header, status, _response.WrittenMemory);
            }
        }
        catch (Exception e) when (e is DaosException or InvalidOperationException or OperationCanceledException)
        {
            // The connection closed under us; the peer fails the request on its side.
        }
        finally
        {
            _body.Dispose();
            _body = default;
            Handler = null;
        }
    }

    private void WriteReason(string text)
    {
        _response.Reset();
        WireMessage.Encode(ErrorMessage.FromText(text), _response);
    }
}
