using Daos.Vos.Versioning;

namespace Daos.Vos.Ilog;

/// <summary>Whether an incarnation-log event made something exist or punched it.</summary>
internal enum IncarnationKind : byte
{
    /// <summary>An update created (or re-created) the entity at this version.</summary>
    Create,
    /// <summary>The entity and everything below it was punched at this version.</summary>
    Punch,
}

/// <summary>The transaction state of an incarnation-log event.</summary>
internal enum IncarnationState : byte
{
    /// <summary>Committed: visible to every reader at or above its version.</summary>
    Committed,
    /// <summary>Prepared by a transaction not yet committed: invisible to other readers, who may have to wait or ask.</summary>
    Prepared,
}

/// <summary>One event of an object's, dkey's or akey's incarnation log (DAOS's <c>ilog_id</c>).</summary>
/// <param name="Version">Epoch and minor epoch of the event.</param>
/// <param name="Kind">Create or punch.</param>
/// <param name="State">Committed or prepared.</param>
/// <param name="TransactionId">The local id of the preparing transaction; 0 when committed.</param>
internal readonly record struct IncarnationLogEntry(VersionStamp Version, IncarnationKind Kind, IncarnationState State,
    uint TransactionId = 0);
