namespace Daos.Transport;

/// <summary>Bits of the frame header's flags byte. Bits not defined here must be zero on the wire.</summary>
[Flags]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "Named after the header field it encodes.")]
public enum FrameFlags : byte
{
    /// <summary>A request that expects a response with the same request id.</summary>
    None = 0,

    /// <summary>The frame answers the request with the same request id.</summary>
    Response = 0x01,

    /// <summary>The frame expects no response (heartbeats, notices).</summary>
    OneWay = 0x02,
}
