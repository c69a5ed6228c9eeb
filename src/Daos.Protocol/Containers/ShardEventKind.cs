namespace Daos.Protocol.Containers;

/// <summary>What a <see cref="ContainerShardEventRequest"/> tells the engines.</summary>
public enum ShardEventKind : byte
{
    /// <summary>A container handle was closed or evicted: forget it.</summary>
    HandleClosed = 1,

    /// <summary>A container was destroyed: forget its handles and delete its VOS containers.</summary>
    ContainerDestroyed = 2,
}
