using System.Buffers;
using System.IO.Pipelines;
using Daos.Transport.Tests.Abuse;
using Daos.Transport.Tests.Rpc;

namespace Daos.Transport.Tests.Framing;

/// <summary>
/// Mutated frame streams written straight into a live node's connections (in-process, raw pipes): whatever
/// arrives, the node answers or closes that connection, never hangs on it once the sender is done, never lets an
/// exception out, and keeps serving a well-behaved client.
/// </summary>
public sealed class LiveNodeFuzzTests
{
    [Fact]
    public Task Live_node_survives_mutated_streams() => CampaignAsync(seed: 0xF00D, cases: 1500);

    [Fact]
    [Trait("Category", "Soak")]
    public Task Live_node_survives_mutated_streams_soak() => CampaignAsync(seed: 0xCAFE, cases: 100_000);

    private static async Task CampaignAsync(ulong seed, int cases)
    {
        var log = new ListLogger();
        TransportOptions options = RpcTestNodes.FastOptions();
        options = new TransportOptions
        {
            FrameBodyMaxBytes = 64 * 1024,
            HeartbeatInterval = options.HeartbeatInterval,
            HeartbeatTimeout = options.HeartbeatTimeout,
            TimerResolution = options.TimerResolution,
        };
        var network = new InProcessNetwork(options);
        var server = new RpcNode(network, options, logger: log);
        await using var _ = server;
        RpcTestNodes.RegisterStandardHandlers(server);
        TransportAddress address = await server.ListenAsync(TransportAddress.InProcess("fuzz-target"));
        var client = new RpcNode(network, options);
        await using var __ = client;

        var random = new DeterministicRandom(seed);
        var corpus = new List<byte[]>();
        for (int i = 0; i < 32; i++)
        {
            corpus.Add(Frames.RandomStream(random.Fork(), bodyMax: 300).Bytes);
        }

        for (int i = 0; i < cases; i++)
        {
            ulong caseSeed = random.NextUInt64();
            var caseRandom = new DeterministicRandom(caseSeed);
            byte[] input = FrameMutator.Mutate(corpus[caseRandom.Next(corpus.Count)], corpus, caseRandom);
            ITransportConnection raw = await network.ConnectAsync(address);
            await raw.Output.WriteAsync(input);
            await raw.Output.CompleteAsync();

            // The node must end the connection: by a protocol close, or by closing after our end of stream.
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                while (true)
                {
                    ReadResult result = await raw.Input.ReadAsync(limit.Token);
                    raw.Input.AdvanceTo(result.Buffer.End);
                    if (result.IsCompleted)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"case seed {caseSeed}: the node kept the connection open; input {Convert.ToHexString(input)}");
            }
            catch (DaosException e) when (e.Error == DaosError.Unreachable)
            {
                // The node aborted the connection: that is the expected ending for a protocol violation.
            }

            await raw.Input.CompleteAsync();
            if (i % 100 == 0)
            {
                using RpcResponse echo = await client.GetPeer(address).SendAsync(RpcTestNodes.Echo, 0, new byte[] { (byte)i });
                Assert.True(echo.Body.Span.SequenceEqual(new[] { (byte)i }), $"case {i}: a well-behaved client was not served");
            }
        }

        await RpcNodeTests.WaitUntil(() => server.ConnectionCount <= 1);
        Assert.DoesNotContain(log.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) && !l.Contains("Handler", StringComparison.Ordinal));
    }
}
