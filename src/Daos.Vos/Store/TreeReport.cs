namespace Daos.Vos.Store;

/// <summary>What <see cref="ContainerStore.VerifyTrees"/> found in a container's trees.</summary>
/// <param name="Objects">Object nodes.</param>
/// <param name="Dkeys">Dkey nodes.</param>
/// <param name="Akeys">Akey nodes, as (object, dkey, akey), in tree order.</param>
/// <param name="Records">Records the trees name (committed ones).</param>
/// <param name="PreparedRecords">Records on the prepared list.</param>
internal sealed record TreeReport(long Objects, long Dkeys, List<(ObjectId Oid, byte[] Dkey, byte[] Akey)> Akeys, long Records,
    long PreparedRecords);
