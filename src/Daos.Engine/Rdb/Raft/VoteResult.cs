namespace Daos.Engine.Rdb.Raft;

/// <summary>The state of an election tally.</summary>
internal enum VoteResult : byte
{
    Pending = 0,
    Won = 1,
    Lost = 2,
}
