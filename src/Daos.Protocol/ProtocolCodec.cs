using System.Buffers;

namespace Daos.Protocol;

/// <summary>Encodes and decodes whole message bodies: one version byte, then the message's fields.</summary>
public static class ProtocolCodec
{
    /// <summary>
    /// The message format version every body is written with. Version 2 added the client-chosen uuid of
    /// <see cref="Management.PoolCreateRequest"/> and the pool map and rank table of <see cref="Pools.PoolInfoReply"/>;
    /// version 3 the <see cref="OperationKey"/> of <see cref="Containers.ContainerAttributeRequest"/>,
    /// <see cref="Containers.ContainerSnapshotRequest"/>, <see cref="Containers.ContainerDestroyRequest"/> and
    /// <see cref="Containers.ContainerSetPropertiesRequest"/>; version 4 the <see cref="OperationKey"/> of
    /// <see cref="Containers.ContainerAllocateOidsRequest"/>, <see cref="Containers.ContainerOpenRequest"/>,
    /// <see cref="Containers.ContainerHandleRequest"/> (close), <see cref="Pools.PoolConnectRequest"/>,
    /// <see cref="Pools.PoolHandleRequest"/> (disconnect), <see cref="Management.PoolMapChangeRequest"/> and
    /// <see cref="Management.PoolServiceMapChangeRequest"/> and <see cref="Management.PoolDestroyRequest"/>, and the fencing token of
    /// <see cref="Management.PoolShardCreateRequest"/> and <see cref="Management.PoolShardDestroyRequest"/>.
    /// </summary>
    public const byte Version = 4;

    /// <summary>The oldest version still read: a message's fields added later take their defaults in older bodies.</summary>
    public const byte VersionMin = 1;

    /// <summary>Writes <paramref name="message"/> with its version byte into <paramref name="output"/>.</summary>
    public static void Encode<T>(T message, IBufferWriter<byte> output)
        where T : IProtocolMessage<T>
    {
        ArgumentNullException.ThrowIfNull(message);
        var writer = new ProtocolWriter(output);
        writer.WriteUInt8(Version);
        message.Write(ref writer);
    }

    /// <summary>Encodes <paramref name="message"/> into a new array (for control messages, not the hot path).</summary>
    public static byte[] EncodeToArray<T>(T message)
        where T : IProtocolMessage<T>
    {
        var output = new ArrayBufferWriter<byte>(256);
        Encode(message, output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Decodes a body that must hold exactly one message of type <typeparamref name="T"/>.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.Protocol"/>: unknown version, truncated, over a limit,
    /// or trailing bytes.</exception>
    public static T Decode<T>(ReadOnlyMemory<byte> body)
        where T : IProtocolMessage<T>
    {
        var reader = new ProtocolReader(body);
        byte version = reader.ReadUInt8();
        if (version is < VersionMin or > Version)
        {
            throw new DaosException(DaosError.Protocol, $"message version {version} is not supported (this side speaks {VersionMin}..{Version})");
        }

        reader.MessageVersion = version;
        T message = T.Read(ref reader);
        reader.EnsureEnd();
        return message;
    }
}
