using System.Buffers;

namespace Daos.Transport;

/// <summary>Encodes and decodes whole <see cref="IWireMessage{T}"/> bodies.</summary>
public static class WireMessage
{
    /// <summary>Encodes <paramref name="message"/> into <paramref name="writer"/>.</summary>
    public static void Encode<T>(in T message, IBufferWriter<byte> writer)
        where T : IWireMessage<T>
    {
        ArgumentNullException.ThrowIfNull(writer);
        int size = message.EncodedSizeBytes;
        var wire = new WireWriter(writer.GetSpan(size));
        message.Encode(ref wire);
        if (wire.Position != size)
        {
            ThrowHelper.Throw(DaosError.Miscellaneous, "message wrote a different size than it announced");
        }

        writer.Advance(size);
    }

    /// <summary>Decodes a message that must occupy all of <paramref name="body"/>.</summary>
    /// <exception cref="DaosException">The body is malformed (<see cref="DaosError.Protocol"/>).</exception>
    public static T Decode<T>(ReadOnlySpan<byte> body)
        where T : IWireMessage<T>
    {
        var reader = new WireReader(body);
        T message = T.Decode(ref reader);
        reader.EnsureEnd();
        return message;
    }
}
