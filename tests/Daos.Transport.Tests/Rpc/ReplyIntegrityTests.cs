using System.Buffers.Binary;
using Daos.Transport;

namespace Daos.Transport.Tests.Rpc;

/// <summary>
/// Many requests in flight with seeded random body sizes, on both real networks: every reply must carry exactly the
/// bytes its own request asked for. The handler derives the reply from the request (a byte-wise transform and a
/// different length), completes some replies asynchronously and runs on thread-pool executors, so replies come back
/// out of order and a reply matched to the wrong request, or a body read from a reused buffer, shows as wrong bytes.
/// </summary>
public sealed class ReplyIntegrityTests
{
    private const ushort Transform = 0x0110;

    [Theory]
    [InlineData(TransportScheme.InProcess, 81UL)]
    [InlineData(TransportScheme.Tcp, 82UL)]
    public Task Every_reply_byte_matches_its_request_with_many_in_flight(TransportScheme scheme, ulong seed) =>
        RunAsync(scheme, seed, requests: 1500, inFlight: 96);

    [Theory]
    [Trait("Category", "Soak")]
    [InlineData(TransportScheme.InProcess, 91UL)]
    [InlineData(TransportScheme.Tcp, 92UL)]
    public Task Every_reply_byte_matches_its_request_soak(TransportScheme scheme, ulong seed) =>
        RunAsync(scheme, seed, requests: 40_000, inFlight: 256);

    private static async Task RunAsync(TransportScheme scheme, ulong seed, int requests, int inFlight)
    {
        (RpcNode server, RpcNode client, TransportAddress address) = await RpcTestNodes.StartAsync(scheme);
        server.RegisterHandler(Transform, static async (request, response, _) =>
        {
            // Every third reply completes after a yield, so replies overtake each other.
            if (request.Body.Length % 3 == 0)
            {
                await Task.Yield();
            }

            ReadOnlySpan<byte> body = request.Body.Span;
            Span<byte> reply = response.GetSpan(body.Length + 8)[..(body.Length + 8)];
            BinaryPrimitives.WriteUInt64LittleEndian(reply, (ulong)body.Length);
            for (int i = 0; i < body.Length; i++)
            {
                reply[8 + i] = (byte)~body[i];
            }

            response.Advance(body.Length + 8);
            return DaosError.None;
        });

        // The sizes and contents of every request are fixed by the seed before anything is sent.
        var random = new DeterministicRandom(seed);
        var bodies = new byte[requests][];
        for (int r = 0; r < requests; r++)
        {
            int size = random.Chance(0.05) ? random.Next(64 * 1024, 1024 * 1024) : random.Next(0, 4096);
            bodies[r] = new byte[size];
            random.NextBytes(bodies[r]);
        }

        await using (server)
        await using (client)
        {
            RpcPeer peer = client.GetPeer(address);
            int next = -1;
            var workers = new Task[inFlight];
            for (int w = 0; w < inFlight; w++)
            {
                workers[w] = Task.Run(async () =>
                {
                    int r;
                    while ((r = Interlocked.Increment(ref next)) < requests)
                    {
                        byte[] body = bodies[r];
                        using RpcResponse response = await peer.SendAsync(Transform, FrameHeader.AnyTarget, body);
                        Assert.True(response.IsSuccess, $"seed {seed}: request {r} failed with {response.Status}");
                        ReadOnlySpan<byte> reply = response.Body.Span;
                        Assert.True(reply.Length == body.Length + 8 && BinaryPrimitives.ReadUInt64LittleEndian(reply) == (ulong)body.Length,
                            $"seed {seed}: request {r} of {body.Length} bytes got a reply of {reply.Length} bytes for another length");
                        for (int i = 0; i < body.Length; i++)
                        {
                            if (reply[8 + i] != (byte)~body[i])
                            {
                                Assert.Fail($"seed {seed}: request {r} ({body.Length} bytes): reply byte {i} is {reply[8 + i]:X2}, expected {(byte)~body[i]:X2}");
                            }
                        }
                    }
                });
            }

            await Task.WhenAll(workers);
        }
    }
}
