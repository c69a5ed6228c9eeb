using System.Collections.Concurrent;
using System.IO.Pipelines;
using Daos.Transport.InProcess;
using Daos.Transport.Rpc;

namespace Daos.Transport;

/// <summary>
/// Connections inside one process: two cross-wired <see cref="Pipe"/>s per connection, so a frame written by one
/// side is read by the other from the same buffer, with no socket and no copy. Names live in this instance;
/// separate instances are separate networks.
/// </summary>
public sealed class InProcessNetwork : ITransportNetwork
{
    private readonly ConcurrentDictionary<string, InProcessListener> _listeners = new(StringComparer.Ordinal);
    private readonly TransportOptions _options;
    private readonly PipeScheduler _scheduler;

    /// <summary>Creates an empty network.</summary>
    /// <param name="options">Limits and pipe thresholds (defaults if null).</param>
    /// <param name="scheduler">Where pipe continuations run: the thread pool by default;
    /// <see cref="PipeScheduler.Inline"/> keeps everything on the calling thread.</param>
    public InProcessNetwork(TransportOptions? options = null, PipeScheduler? scheduler = null)
    {
        _options = options ?? new TransportOptions();
        _options.Validate();
        _scheduler = scheduler ?? PipeScheduler.ThreadPool;
    }

    /// <inheritdoc/>
    public bool Supports(TransportScheme scheme) => scheme == TransportScheme.InProcess;

    /// <inheritdoc/>
    public ValueTask<ITransportListener> ListenAsync(TransportAddress address, CancellationToken cancellationToken = default)
    {
        Require(address);
        var listener = new InProcessListener(address, this);
        if (!_listeners.TryAdd(address.Host, listener))
        {
            ThrowHelper.Throw(DaosError.Exists, $"{address} is already listening");
        }

        return ValueTask.FromResult<ITransportListener>(listener);
    }

    /// <inheritdoc/>
    public ValueTask<ITransportConnection> ConnectAsync(TransportAddress address, CancellationToken cancellationToken = default)
    {
        Require(address);
        if (!_listeners.TryGetValue(address.Host, out InProcessListener? listener))
        {
            throw new DaosException(DaosError.Unreachable, $"nothing listens on {address}");
        }

        PipeOptions options = new(
            pool: BlockMemoryPool.Shared,
            minimumSegmentSize: BlockMemoryPool.BlockSizeBytes,
            readerScheduler: _scheduler,
            writerScheduler: _scheduler,
            pauseWriterThreshold: Math.Max(_options.OutputPauseThresholdBytes, _options.InputPauseThresholdBytes),
            resumeWriterThreshold: Math.Max(_options.OutputPauseThresholdBytes, _options.InputPauseThresholdBytes) / 2,
            useSynchronizationContext: false);
        var toServer = new Pipe(options);
        var toClient = new Pipe(options);
        var client = new InProcessConnection(toClient.Reader, toServer.Writer, "inproc-client");
        var server = new InProcessConnection(toServer.Reader, toClient.Writer, "inproc-client-of-" + address.Host);
        if (!listener.Offer(server))
        {
            throw new DaosException(DaosError.Unreachable, $"{address} is not accepting connections");
        }

        return ValueTask.FromResult<ITransportConnection>(client);
    }

    internal void Remove(InProcessListener listener) =>
        _listeners.TryRemove(new KeyValuePair<string, InProcessListener>(listener.LocalAddress.Host, listener));

    private static void Require(TransportAddress address)
    {
        if (address.Scheme != TransportScheme.InProcess)
        {
            ThrowHelper.InvalidArgument($"in-process network cannot serve {address}");
        }
    }
}
