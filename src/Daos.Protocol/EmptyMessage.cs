namespace Daos.Protocol;

/// <summary>A body with no fields (requests such as system query and pool list, and replies that carry only a status).</summary>
public sealed record EmptyMessage : IProtocolMessage<EmptyMessage>
{
    /// <summary>The one instance.</summary>
    public static EmptyMessage Instance { get; } = new();

    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
    }

    /// <inheritdoc/>
    public static EmptyMessage Read(ref ProtocolReader reader) => Instance;
}
