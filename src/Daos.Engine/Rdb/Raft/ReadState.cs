namespace Daos.Engine.Rdb.Raft;

/// <summary>
/// The answer to <see cref="RaftNode.RequestRead(ulong)"/>: once the local state machine has applied
/// <paramref name="Index"/>, a read issued before the request sees every write committed before it.
/// </summary>
/// <param name="Index">The commit index the read must wait for.</param>
/// <param name="Context">The caller's context from the request.</param>
public readonly record struct ReadState(ulong Index, ulong Context);
