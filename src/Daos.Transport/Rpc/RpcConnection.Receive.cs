using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Daos.Buffers;
using Daos.Transport.Messages;

namespace Daos.Transport.Rpc;

/// <summary>The receive loop: frames in, responses matched, requests dispatched.</summary>
internal sealed partial class RpcConnection
{
    private async Task ReceiveLoopAsync()
    {
        PipeReader input = _transport.Input;
        string reason = "closed";
        try
        {
            while (true)
            {
                ReadResult result = await input.ReadAsync();
                if (result.IsCanceled || IsClosed)
                {
                    reason = CloseReason ?? "closed locally";
                    break;
                }

                ReadOnlySequence<byte> buffer = result.Buffer;
                try
                {
                    while (FrameCodec.TryReadFrame(ref buffer, Options.FrameBodyMaxBytes, out FrameHeader header, out ReadOnlySequence<byte> body))
                    {
                        Volatile.Write(ref _lastReceivedTimestamp, _time.GetTimestamp());
                        ValueTask handled = OnFrameAsync(header, body);
                        if (!handled.IsCompletedSuccessfully)
                        {
                            await handled;
                        }
                    }
                }
                finally
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                }

                if (result.IsCompleted)
                {
                    reason = buffer.IsEmpty ? "peer closed the connection" : "peer closed the connection mid-frame";
                    break;
                }
            }
        }
        catch (DaosException e)
        {
            reason = "protocol violation: " + e.Message;
            Logger.ProtocolViolation(RemoteDescription, e.Error, e.Message);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or IOException
            or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            reason = "transport failed: " + e.Message;
        }
        finally
        {
            await input.CompleteAsync();
            Close(reason);
        }
    }

    private ValueTask OnFrameAsync(in FrameHeader header, in ReadOnlySequence<byte> body)
    {
        if (header.IsResponse)
        {
            OnResponse(header, body);
            return ValueTask.CompletedTask;
        }

        if (header.Opcode < TransportOpcodes.FirstApplication)
        {
            OnTransportFrame(header, body);
            return ValueTask.CompletedTask;
        }

        return OnRequestAsync(header, body);
    }

    private void OnResponse(in FrameHeader header, in ReadOnlySequence<byte> body)
    {
        PendingRequest? pending;
        lock (_gate)
        {
            if (_pending.Remove(header.RequestId, out pending))
            {
                _outboundSlots.Release();
            }
        }

        if (pending is null)
        {
            // Late (after a timeout or cancellation) or duplicated: nobody is waiting.
            Logger.UnknownResponse(RemoteDescription, header.RequestId);
            return;
        }

        byte[]? array = null;
        if (header.BodyLengthBytes > 0)
        {
            array = ArrayPool<byte>.Shared.Rent(header.BodyLengthBytes);
            body.CopyTo(array);
        }

        pending.Complete(new RpcResponse(header.Status, array, header.BodyLengthBytes));
    }

    private void OnTransportFrame(in FrameHeader header, in ReadOnlySequence<byte> body)
    {
        if (!header.IsOneWay)
        {
            ThrowHelper.Throw(DaosError.Protocol, $"transport opcode {header.Opcode} sent as a request");
        }

        Span<byte> copy = stackalloc byte[64];
        if (body.Length > copy.Length)
        {
            ThrowHelper.Throw(DaosError.Protocol, "transport message too long");
        }

        copy = copy[..(int)body.Length];
        body.CopyTo(copy);
        switch (header.Opcode)
        {
            case TransportOpcodes.Ping:
                _ = WireMessage.Decode<PingMessage>(copy);
                break;
            case TransportOpcodes.GoAway:
                _ = WireMessage.Decode<GoAwayMessage>(copy);
                Volatile.Write(ref _peerDraining, true);
                break;
            default:
                ThrowHelper.Throw(DaosError.Protocol, $"unknown transport opcode {header.Opcode}");
                break;
        }
    }

    private ValueTask OnRequestAsync(in FrameHeader header, in ReadOnlySequence<byte> body)
    {
        lock (_gate)
        {
            if (header.RequestId > _lastReceivedRequestId)
            {
                _lastReceivedRequestId = header.RequestId;
            }
        }

        DaosError refusal = DaosError.None;
        RpcHandler? handler = null;
        IRpcExecutor? executor = null;
        if (Volatile.Read(ref _draining))
        {
            refusal = DaosError.Canceled;
        }
        else if (!_node.TryGetHandler(header.Opcode, out handler))
        {
            refusal = DaosError.Unregistered;
        }
        else if ((executor = _node.Executors.Select(header.Target)) is null)
        {
            refusal = DaosError.BadTarget;
        }

        if (refusal != DaosError.None)
        {
            Logger.RequestRefused(RemoteDescription, header.RequestId, header.Opcode, refusal);
            return header.IsOneWay ? ValueTask.CompletedTask : SendResponseAsync(header, refusal, ReadOnlyMemory<byte>.Empty);
        }

        // A full window stops this loop reading, which fills the input pipe, which stops the socket being read:
        // the peer feels backpressure instead of this node buffering without bound.
        if (!_inboundSlots.Wait(0))
        {
            return DispatchAfterSlotAsync(header, body, handler!, executor!);
        }

        Dispatch(header, body, handler!, executor!);
        return ValueTask.CompletedTask;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask DispatchAfterSlotAsync(FrameHeader header, ReadOnlySequence<byte> body, RpcHandler handler, IRpcExecutor executor)
    {
        await _inboundSlots.WaitAsync(ClosingToken);
        Dispatch(header, body, handler, executor);
    }

    private void Dispatch(in FrameHeader header, in ReadOnlySequence<byte> body, RpcHandler handler, IRpcExecutor executor)
    {
        var copy = new PooledBuffer(header.BodyLengthBytes);
        body.CopyTo(copy.Span);
        ServerCall call;
        lock (_gate)
        {
            call = _callPool.Count > 0 ? _callPool.Pop() : new ServerCall(this);
        }

        call.Prepare(header, handler, copy);
        Interlocked.Increment(ref _inboundActive);
        executor.Post(ServerCall.RunCallback, call);
    }
}
