namespace Daos.Engine.Engine;

/// <summary>
/// The points between the durable steps of a create, where tests stop a service leader to check that nothing is
/// left half-created (see <see cref="DaosEngineOptions.ServiceStepReached"/>).
/// </summary>
internal enum ServiceStep
{
    /// <summary>Pool create: a run of the create has its turn at the service (before any check or write).</summary>
    PoolCreateStarted,

    /// <summary>Pool create: the intent (record of a create in progress) is committed; no shard exists yet.</summary>
    PoolCreateIntentWritten,

    /// <summary>Pool create: every rank holds its shards; the pool is not recorded yet.</summary>
    PoolCreateShardsCreated,

    /// <summary>Pool create: the pool and its label are recorded; the create has not answered yet.</summary>
    PoolCreateRecordWritten,

    /// <summary>Container create: the checks passed; nothing is written yet.</summary>
    ContainerCreateChecked,

    /// <summary>Container create: the container and its label are recorded; the create has not answered yet.</summary>
    ContainerCreateRecordWritten,
}
