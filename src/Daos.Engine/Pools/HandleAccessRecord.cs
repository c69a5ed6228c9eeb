using Daos.Protocol.Pools;

namespace Daos.Engine.Pools;

/// <summary>A connected pool handle as the pool service records it.</summary>
internal readonly record struct HandleAccessRecord(HandleAccess Access);
