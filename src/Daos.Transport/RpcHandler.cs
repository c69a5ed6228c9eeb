using System.Buffers;

namespace Daos.Transport;

/// <summary>
/// Serves one opcode. Runs on the executor chosen for the request's target. Writes the response body into
/// <paramref name="response"/> and returns the status the caller sees; throwing a <see cref="DaosException"/>
/// returns its error, and any other exception returns <see cref="DaosError.Miscellaneous"/> (logged).
/// </summary>
/// <param name="request">The request; its body is valid until the returned task completes.</param>
/// <param name="response">Where to write the response body (at most the frame limit).</param>
/// <param name="cancellationToken">Cancelled when the connection closes.</param>
public delegate ValueTask<DaosError> RpcHandler(RpcRequest request, IBufferWriter<byte> response, CancellationToken cancellationToken);
