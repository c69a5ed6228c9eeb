using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Daos.Transport.Messages;

namespace Daos.Transport.Rpc;

/// <summary>Writing frames: one writer at a time, whole frames, then a flush that may wait (backpressure).</summary>
internal sealed partial class RpcConnection
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteFrameAsync(FrameHeader header, ReadOnlyMemory<byte> body)
    {
        if (body.Length > Options.FrameBodyMaxBytes)
        {
            ThrowHelper.Throw(DaosError.Overflow, $"body of {body.Length} bytes exceeds the frame limit");
        }

        if (!_sendLock.Wait(0))
        {
            await _sendLock.WaitAsync();
        }

        try
        {
            if (IsClosed)
            {
                ThrowHelper.Throw(DaosError.Unreachable, $"connection to {RemoteDescription} closed: {CloseReason}");
            }

            PipeWriter output = _transport.Output;
            FrameCodec.WriteFrame(output, header, body.Span);
            ValueTask<FlushResult> flushing = output.FlushAsync();
            FlushResult flushed = flushing.IsCompletedSuccessfully ? flushing.Result : await flushing;
            if (flushed.IsCompleted || flushed.IsCanceled)
            {
                ThrowHelper.Throw(DaosError.Unreachable, $"connection to {RemoteDescription} closed while sending");
            }

            Volatile.Write(ref _lastSentTimestamp, _time.GetTimestamp());
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private ValueTask WriteMessageAsync<T>(ushort opcode, T message)
        where T : IWireMessage<T>
    {
        Span<byte> scratch = stackalloc byte[64];
        var writer = new WireWriter(scratch);
        message.Encode(ref writer);
        byte[] body = scratch[..writer.Position].ToArray();
        var header = new FrameHeader(opcode, FrameFlags.OneWay, 0, FrameHeader.AnyTarget, DaosError.None, 0, body.Length);
        return WriteFrameAsync(header, body);
    }
}
