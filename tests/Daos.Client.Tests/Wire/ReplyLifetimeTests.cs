using System.Buffers;
using System.Text;
using Daos.Client.Wire;
using Daos.Protocol;
using Daos.Protocol.Objects;
using Daos.Transport;

namespace Daos.Client.Tests.Wire;

/// <summary>
/// A decoded reply must own its bytes. The transport hands a response body in a pooled array and takes it back when
/// the response is disposed; a reply whose key or value memory still points into that array reads whatever the next
/// renter writes there. Renting right after the call, on the same thread, gets the array just returned (the shared
/// pool keeps one per thread and size), so the interleaving that corrupts the reply is forced, not hoped for.
/// </summary>
public sealed class ReplyLifetimeTests
{
    private const int Keys = 8;

    [Fact]
    public async Task A_decoded_reply_keeps_its_bytes_after_the_response_buffer_is_reused()
    {
        var network = new InProcessNetwork();
        await using var server = new RpcNode(network);
        var sent = new ObjectListReply([.. Enumerable.Range(0, Keys).Select(i => (ReadOnlyMemory<byte>)Key(i))], [], Complete: true);
        server.RegisterHandler(ProtocolOpcodes.ObjectList, (request, response, ct) =>
        {
            ProtocolCodec.Encode(sent, response);
            return ValueTask.FromResult(DaosError.None);
        });
        TransportAddress address = await server.ListenAsync(TransportAddress.InProcess("reply-lifetime"));
        await using var node = new RpcNode(network);
        var runtime = new ClientRuntime(new DaosClientOptions { ManagementEndpoints = [address.ToString()] }, node);

        for (int round = 0; round < 50; round++)
        {
            // Off any synchronization context, so the code after the call runs on the thread that disposed the response.
            ObjectListReply reply = await Task.Run(async () =>
            {
                ObjectListReply decoded = await runtime.CallAsync<EmptyMessage, ObjectListReply>(
                    address, ProtocolOpcodes.ObjectList, FrameHeader.AnyTarget, EmptyMessage.Instance, CancellationToken.None).ConfigureAwait(false);
                Scribble(ArrayPool<byte>.Shared, 4096);
                return decoded;
            });

            Assert.Equal(Keys, reply.Keys.Count);
            for (int i = 0; i < Keys; i++)
            {
                Assert.True(reply.Keys[i].Span.SequenceEqual(Key(i)),
                    $"round {round}: key {i} reads '{Encoding.UTF8.GetString(reply.Keys[i].Span)}' after the response buffer was reused, expected '{Encoding.UTF8.GetString(Key(i))}'");
            }
        }
    }

    private static byte[] Key(int i) => Encoding.UTF8.GetBytes($"listed-key-{i:D4}");

    /// <summary>Rents arrays of every small size class and overwrites them, as another request's reply would.</summary>
    private static void Scribble(ArrayPool<byte> pool, int maxBytes)
    {
        var rented = new List<byte[]>();
        for (int size = 16; size <= maxBytes; size *= 2)
        {
            byte[] array = pool.Rent(size);
            array.AsSpan().Fill(0xEE);
            rented.Add(array);
        }

        foreach (byte[] array in rented)
        {
            pool.Return(array);
        }
    }
}
