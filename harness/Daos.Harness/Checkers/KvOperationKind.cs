namespace Daos.Harness.Checkers;

/// <summary>The operations of the key-value model the linearizability checker knows.</summary>
public enum KvOperationKind : byte
{
    /// <summary>Writes <see cref="KvOperation.Value"/> under the key.</summary>
    Put = 0,

    /// <summary>Reads the key; <see cref="KvOperation.Value"/> is what was returned (null: absent).</summary>
    Get = 1,

    /// <summary>Removes the key.</summary>
    Delete = 2,
}
