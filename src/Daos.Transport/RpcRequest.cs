namespace Daos.Transport;

/// <summary>A request as a handler sees it.</summary>
/// <param name="Opcode">The opcode the handler was registered for.</param>
/// <param name="Target">The destination target (or <see cref="FrameHeader.AnyTarget"/>).</param>
/// <param name="RequestId">The sender's id for the request, unique on its connection.</param>
/// <param name="Token">The credential or handle token from the header.</param>
/// <param name="Body">The request body; valid until the handler's task completes.</param>
/// <param name="RemoteDescription">Who sent it, for logs.</param>
public readonly record struct RpcRequest(
    ushort Opcode,
    uint Target,
    ulong RequestId,
    ulong Token,
    ReadOnlyMemory<byte> Body,
    string RemoteDescription);
