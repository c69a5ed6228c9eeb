using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.InteropServices;
using System.Net.Sockets;
using Daos.Transport.Rpc;

namespace Daos.Transport.Tcp;

/// <summary>
/// A socket pumped into and out of two pipes. The receive pump owns the input pipe's writer and the send pump
/// owns the output pipe's reader; when either side ends, the socket is shut down and both pipes complete.
/// </summary>
internal sealed class TcpConnection : ITransportConnection
{
    private const int ReceiveSegmentBytes = BlockMemoryPool.BlockSizeBytes;

    private const int GatherSegmentsMax = 64;

    private readonly Socket _socket;
    private readonly List<ArraySegment<byte>> _gather = new(GatherSegmentsMax);
    private readonly Pipe _input;
    private readonly Pipe _output;
    private readonly Task _receiving;
    private readonly Task _sending;
    private int _aborted;

    private TcpConnection(Socket socket, TransportOptions options)
    {
        _socket = socket;
        RemoteDescription = socket.RemoteEndPoint?.ToString() ?? "tcp:unknown";
        _input = new Pipe(new PipeOptions(
            pool: BlockMemoryPool.Shared,
            pauseWriterThreshold: options.InputPauseThresholdBytes,
            resumeWriterThreshold: options.InputPauseThresholdBytes / 2,
            minimumSegmentSize: ReceiveSegmentBytes,
            useSynchronizationContext: false));
        _output = new Pipe(new PipeOptions(
            pool: BlockMemoryPool.Shared,
            pauseWriterThreshold: options.OutputPauseThresholdBytes,
            resumeWriterThreshold: options.OutputPauseThresholdBytes / 2,
            minimumSegmentSize: BlockMemoryPool.BlockSizeBytes,
            useSynchronizationContext: false));
        _receiving = Loops.Start(ReceiveLoopAsync, null);
        _sending = Loops.Start(SendLoopAsync, null);
    }

    public PipeReader Input => _input.Reader;

    public PipeWriter Output => _output.Writer;

    public string RemoteDescription { get; }

    public static TcpConnection Start(Socket socket, TransportOptions options) => new(socket, options);

    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) == 0)
        {
            _socket.Dispose();
            _input.Reader.CancelPendingRead();
            _output.Reader.CancelPendingRead();
        }
    }

    /// <summary>Closes after the send loop has written what the output pipe holds (once its writer is completed),
    /// waiting at most two seconds for a peer that does not read.</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAny(_sending, Task.Delay(TimeSpan.FromSeconds(2)));
        Abort();
        await _receiving;
        await _sending;
    }

    private async Task ReceiveLoopAsync()
    {
        PipeWriter writer = _input.Writer;
        Exception? error = null;
        try
        {
            while (true)
            {
                // Wait for data without holding a buffer, so thousands of idle connections cost no memory.
                await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
                Memory<byte> memory = writer.GetMemory(ReceiveSegmentBytes);
                int received = await _socket.ReceiveAsync(memory, SocketFlags.None);
                if (received == 0)
                {
                    break;
                }

                writer.Advance(received);
                FlushResult flush = await writer.FlushAsync();
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            error = Volatile.Read(ref _aborted) == 0 ? e : null;
        }
        finally
        {
            // Only the input ends here: the reader still takes what was buffered (and sees a frame cut short),
            // and closes the connection itself.
            await writer.CompleteAsync(error);
        }
    }

    private async Task SendLoopAsync()
    {
        PipeReader reader = _output.Reader;
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync();
                ReadOnlySequence<byte> buffer = result.Buffer;
                if (result.IsCanceled)
                {
                    break;
                }

                if (buffer.IsSingleSegment)
                {
                    await SendAllAsync(buffer.First);
                }
                else
                {
                    await SendGatheredAsync(buffer);
                }

                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The peer went away or we aborted: the receive side reports it.
        }
        finally
        {
            await reader.CompleteAsync();
            ShutdownSocket();
        }
    }

    private async ValueTask SendAllAsync(ReadOnlyMemory<byte> memory)
    {
        while (!memory.IsEmpty)
        {
            memory = memory[await _socket.SendAsync(memory, SocketFlags.None)..];
        }
    }

    /// <summary>Sends many pipe blocks with one gathered system call per batch instead of one call per block.</summary>
    private async ValueTask SendGatheredAsync(ReadOnlySequence<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            _gather.Clear();
            long batchBytes = 0;
            foreach (ReadOnlyMemory<byte> segment in buffer)
            {
                if (!MemoryMarshal.TryGetArray(segment, out ArraySegment<byte> array))
                {
                    break;
                }

                _gather.Add(array);
                batchBytes += array.Count;
                if (_gather.Count == GatherSegmentsMax)
                {
                    break;
                }
            }

            if (_gather.Count == 0)
            {
                await SendAllAsync(buffer.First);
                buffer = buffer.Slice(buffer.First.Length);
                continue;
            }

            int sent = await _socket.SendAsync(_gather, SocketFlags.None);
            buffer = buffer.Slice(sent);
        }
    }

    private void ShutdownSocket()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        Abort();
    }
}
