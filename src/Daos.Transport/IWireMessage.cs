namespace Daos.Transport;

/// <summary>
/// A message body with a hand-written, allocation-free codec. Every message the transport or an upper layer
/// puts in a frame implements this, so one round-trip property and one fuzz loop cover them all.
/// </summary>
/// <typeparam name="TSelf">The message type.</typeparam>
public interface IWireMessage<TSelf>
    where TSelf : IWireMessage<TSelf>
{
    /// <summary>Exactly how many bytes <see cref="Encode"/> writes.</summary>
    int EncodedSizeBytes { get; }

    /// <summary>Writes the message.</summary>
    void Encode(ref WireWriter writer);

    /// <summary>Reads a message from untrusted bytes.</summary>
    /// <exception cref="DaosException">The bytes are not a valid message (<see cref="DaosError.Protocol"/>).</exception>
    static abstract TSelf Decode(ref WireReader reader);
}
