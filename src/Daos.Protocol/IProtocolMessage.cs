namespace Daos.Protocol;

/// <summary>
/// A request or reply body of the client/engine protocol. <see cref="ProtocolCodec"/> frames every message with
/// the protocol version byte and checks that decoding consumed the whole body.
/// </summary>
/// <typeparam name="TSelf">The message type.</typeparam>
public interface IProtocolMessage<TSelf>
    where TSelf : IProtocolMessage<TSelf>
{
    /// <summary>Writes the fields (not the version byte).</summary>
    void Write(ref ProtocolWriter writer);

    /// <summary>Reads the fields (not the version byte) from untrusted bytes.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.Protocol"/> for malformed input.</exception>
    static abstract TSelf Read(ref ProtocolReader reader);
}
