using System.Buffers;
using System.IO.Pipelines;
using Daos.Transport;

namespace Daos.Harness.Network;

/// <summary>
/// One end of a simulated connection. What the RPC layer writes to <see cref="Output"/> is cut into frames by a
/// pump and each frame becomes one packet on the <see cref="SimulatedNetwork"/>; packets that arrive are written
/// to <see cref="Input"/>. Because a packet is a whole frame, loss, duplication and reordering act on messages
/// (as in a datagram network) and never tear a frame.
/// </summary>
internal sealed class SimulatedConnection : ITransportConnection
{
    private readonly Pipe _input;
    private readonly Pipe _output;
    private bool _inputClosed;
    private bool _finSent;

    public SimulatedConnection(SimulatedNetwork network, string localHost, string remoteHost)
    {
        Network = network;
        LocalHost = localHost;
        Id = network.NextConnectionId();
        RemoteDescription = $"sim://{remoteHost}#{Id}";
        var options = new PipeOptions(
            readerScheduler: PipeScheduler.Inline,
            writerScheduler: PipeScheduler.Inline,
            pauseWriterThreshold: 0,
            resumeWriterThreshold: 0,
            useSynchronizationContext: true);
        _input = new Pipe(options);
        _output = new Pipe(options);
    }

    public SimulatedNetwork Network { get; }

    public string LocalHost { get; }

    public int Id { get; }

    public SimulatedConnection Peer { get; set; } = null!;

    public PipeReader Input => _input.Reader;

    public PipeWriter Output => _output.Writer;

    public string RemoteDescription { get; }

    public void Start()
    {
        Network.Register(this);
        _ = PumpAsync();
    }

    /// <summary>Takes a packet off the network; false if this end is closed.</summary>
    public bool Receive(byte[]? packet)
    {
        if (_inputClosed)
        {
            return false;
        }

        if (packet is null)
        {
            CloseInput();
            return true;
        }

        _input.Writer.Write(packet);
        // Never pauses (no threshold), so the flush completes at once; the reader's continuation is posted.
        ValueTask<FlushResult> flushing = _input.Writer.FlushAsync();
        if (!flushing.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("a simulated input pipe paused, which its options forbid");
        }
        return true;
    }

    public void Abort()
    {
        SendFin();
        CloseInput();
        _output.Reader.CancelPendingRead();
    }

    /// <summary>A graceful close: the pump still sends the frames already written, then the close notice once the
    /// output is completed, so the notice cannot overtake them.</summary>
    public ValueTask DisposeAsync()
    {
        CloseInput();
        return ValueTask.CompletedTask;
    }

    private void CloseInput()
    {
        if (!_inputClosed)
        {
            _inputClosed = true;
            _input.Writer.Complete();
        }

        if (_finSent)
        {
            Network.Unregister(this);
        }
    }

    private void SendFin()
    {
        if (!_finSent)
        {
            _finSent = true;
            Network.Submit(this, Peer, null);
        }

        if (_inputClosed)
        {
            Network.Unregister(this);
        }
    }

    private async Task PumpAsync()
    {
        PipeReader reader = _output.Reader;
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync();
                if (result.IsCanceled)
                {
                    break;
                }

                ReadOnlySequence<byte> buffer = result.Buffer;
                // Our own RPC layer wrote these frames; a failure to parse them is a bug and aborts the connection.
                while (true)
                {
                    ReadOnlySequence<byte> before = buffer;
                    if (!FrameCodec.TryReadFrame(ref buffer, int.MaxValue - FrameHeader.SizeBytes, out FrameHeader header, out _))
                    {
                        break;
                    }

                    byte[] packet = before.Slice(0, FrameHeader.SizeBytes + (long)header.BodyLengthBytes).ToArray();
                    Network.Submit(this, Peer, packet);
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (DaosException)
        {
        }
        finally
        {
            await reader.CompleteAsync();
            SendFin();
        }
    }
}
