namespace Daos.Harness.Checkers;

/// <summary>
/// One client operation of a history: what it did, and when it was invoked and when its response arrived, on one
/// logical clock shared by all clients.
/// </summary>
/// <param name="ClientId">The client that issued it (for messages only; clients may overlap their own operations).</param>
/// <param name="Kind">Put, get or delete.</param>
/// <param name="Key">The key.</param>
/// <param name="Value">For a put, the value written; for a get, the value returned (null: the key was absent).</param>
/// <param name="CallTime">When the operation was invoked.</param>
/// <param name="ReturnTime">
/// When its response arrived; <see cref="Pending"/> when the outcome is unknown (a write that may or may not have taken
/// effect). A get without a response has no effect and should be left out.
/// </param>
public readonly record struct KvOperation(int ClientId, KvOperationKind Kind, string Key, string? Value, long CallTime, long ReturnTime)
{
    /// <summary>The return time of an operation whose response never arrived.</summary>
    public const long Pending = long.MaxValue;

    /// <inheritdoc/>
    public override string ToString() =>
        $"client {ClientId} {Kind.ToString().ToLowerInvariant()}({Key}{(Kind == KvOperationKind.Delete ? "" : $", {Value ?? "<absent>"}")}) [{CallTime}, {(ReturnTime == Pending ? "pending" : ReturnTime)}]";
}
