using System.Buffers;
using Daos.Client.Wire;
using Daos.Protocol;
using Daos.Protocol.Objects;
using Daos.Transport;

namespace Daos.Client.Tests.Wire;

/// <summary>
/// Fetch replies are decoded from the pooled response body and their values copied out before the body goes back to
/// the pool (no body copy). As in <see cref="ReplyLifetimeTests"/>, the array the response returns is rented and
/// overwritten inside the copy-out callback and right after the call, on the same thread, so a value still pointing
/// into it, or a body released before the callback ran, would be caught.
/// </summary>
public sealed class FetchReplyOwnershipTests
{
    private const int Values = 6;

    [Fact]
    public async Task Values_copied_out_while_the_response_is_held_survive_the_buffer_being_reused()
    {
        var network = new InProcessNetwork();
        await using var server = new RpcNode(network);
        var sent = new ObjectFetchReply([.. Enumerable.Range(0, Values).Select(i => new IodResult(true, Value(i), []))]);
        server.RegisterHandler(ProtocolOpcodes.ObjectFetch, (request, response, ct) =>
        {
            ProtocolCodec.Encode(sent, response);
            return ValueTask.FromResult(DaosError.None);
        });
        TransportAddress address = await server.ListenAsync(TransportAddress.InProcess("fetch-ownership"));
        await using var node = new RpcNode(network);
        var runtime = new ClientRuntime(new DaosClientOptions { ManagementEndpoints = [address.ToString()] }, node);

        for (int round = 0; round < 50; round++)
        {
            byte[][] values = await Task.Run(async () =>
            {
                byte[][] owned = await runtime.CallAsync<EmptyMessage, ObjectFetchReply, int, byte[][]>(
                    address, ProtocolOpcodes.ObjectFetch, FrameHeader.AnyTarget, EmptyMessage.Instance, 0,
                    static (reply, _) =>
                    {
                        // Were the body already back in the pool here, this would overwrite the values before the copy.
                        Scribble();
                        return [.. reply.Results.Select(r => r.Data.ToArray())];
                    }, CancellationToken.None).ConfigureAwait(false);
                Scribble();
                return owned;
            });

            Assert.Equal(Values, values.Length);
            for (int i = 0; i < Values; i++)
            {
                Assert.True(values[i].AsSpan().SequenceEqual(Value(i)), $"round {round}: value {i} changed after the response buffer was reused");
            }
        }
    }

    /// <summary>Rents an array of every small size class (the shared pool keeps one per thread and size), overwrites them, returns them.</summary>
    private static void Scribble()
    {
        var rented = new List<byte[]>();
        for (int size = 16; size <= 4096; size *= 2)
        {
            byte[] array = ArrayPool<byte>.Shared.Rent(size);
            array.AsSpan().Fill(0xEE);
            rented.Add(array);
        }

        foreach (byte[] array in rented)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    private static byte[] Value(int i) => [.. Enumerable.Range(0, 200).Select(j => (byte)(i * 31 + j))];
}
