using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Daos.Bench.Transport;

/// <summary>
/// One connection to a <see cref="RawEchoServer"/> with up to a window of messages outstanding: senders write a
/// 4-byte length and the payload, one reader matches echoes in FIFO order and completes their waiters.
/// </summary>
internal sealed class RawEchoClient : IDisposable
{
    private readonly Socket _socket;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Channel<TaskCompletionSource> _waiting = Channel.CreateUnbounded<TaskCompletionSource>();
    private readonly Task _reader;

    public RawEchoClient(int port)
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
        _reader = ReadLoopAsync();
    }

    public async Task RoundTripAsync(ReadOnlyMemory<byte> message)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Length and payload in one buffer, so a small message is one send system call.
        byte[] packet = ArrayPool<byte>.Shared.Rent(4 + message.Length);
        BinaryPrimitives.WriteInt32LittleEndian(packet, message.Length);
        message.Span.CopyTo(packet.AsSpan(4));
        await _sendLock.WaitAsync();
        try
        {
            _waiting.Writer.TryWrite(done);
            ReadOnlyMemory<byte> rest = packet.AsMemory(0, 4 + message.Length);
            while (!rest.IsEmpty)
            {
                rest = rest[await _socket.SendAsync(rest, SocketFlags.None)..];
            }
        }
        finally
        {
            _sendLock.Release();
            ArrayPool<byte>.Shared.Return(packet);
        }

        await done.Task;
    }

    public void Dispose()
    {
        _socket.Dispose();
        _sendLock.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        byte[] buffer = new byte[2 * 1024 * 1024];
        int filled = 0;
        try
        {
            while (true)
            {
                int n = await _socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
                if (n == 0)
                {
                    return;
                }

                filled += n;
                int offset = 0;
                while (filled - offset >= 4)
                {
                    int length = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(offset));
                    if (filled - offset < 4 + length)
                    {
                        break;
                    }

                    offset += 4 + length;
                    if (_waiting.Reader.TryRead(out TaskCompletionSource? waiter))
                    {
                        waiter.SetResult();
                    }
                }

                Buffer.BlockCopy(buffer, offset, buffer, 0, filled - offset);
                filled -= offset;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }
}
