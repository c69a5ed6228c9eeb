namespace Daos.Transport;

/// <summary>Opcodes the transport reserves for itself. Upper layers register handlers from
/// <see cref="FirstApplication"/> up.</summary>
public static class TransportOpcodes
{
    /// <summary>Never valid on the wire.</summary>
    public const ushort Invalid = 0;

    /// <summary>A one-way heartbeat carrying a <see cref="Messages.PingMessage"/>.</summary>
    public const ushort Ping = 1;

    /// <summary>A one-way notice that the sender is draining (<see cref="Messages.GoAwayMessage"/>): it accepts no
    /// new requests on this connection and closes once the ones in flight are answered.</summary>
    public const ushort GoAway = 2;

    /// <summary>The first opcode available to handlers; everything below is the transport's.</summary>
    public const ushort FirstApplication = 0x0100;
}
