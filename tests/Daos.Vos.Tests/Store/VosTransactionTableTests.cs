using Daos.Harness.Storage;
using Daos.Vos.Store;
using static Daos.Vos.Tests.Store.VosTestKit;

namespace Daos.Vos.Tests.Store;

/// <summary>The per-container transaction table: prepared records are invisible until commit; abort discards them.</summary>
public sealed class VosTransactionTableTests
{
    private static readonly ReadOnlyMemory<byte> D = K("dkey"), A = K("akey"), Arr = K("array");

    [Fact]
    public async Task Prepared_records_are_invisible_until_commit_and_survive_a_crash()
    {
        (SimulatedMedium medium, VosPool pool, VosContainer c) = await NewAsync();
        await c.UpdateAsync(Hashed, E(1), D, A, K("committed"));
        await c.UpdateAsync(new VosTransactionId(7), Hashed, E(2), D, A, K("prepared"));
        await c.WriteAsync(new VosTransactionId(7), Hashed, E(2), D, Arr, 0, 4, Bytes(400, 1));
        await c.PunchAkeyAsync(new VosTransactionId(7), Hashed, E(3), K("other"), A);
        Assert.Equal(K("committed").ToArray(), await c.FetchAsync(Hashed, E(5), D, A));
        Assert.Equal(0, (await c.ReadAsync(Hashed, E(5), D, Arr, 0, 4, new byte[400])).Length);
        Assert.Single(await ToListAsync(c.ListAkeysAsync(Hashed, E(5), D)));

        medium.Crash(11);
        pool = await VosPool.OpenAsync(medium, null);
        c = await pool.OpenContainerAsync(ContainerId);
        Assert.Equal(1, c.PreparedTransactionCount);
        Assert.Equal(K("committed").ToArray(), await c.FetchAsync(Hashed, E(5), D, A));

        await c.CommitTransactionAsync(new VosTransactionId(7));
        Assert.Equal(0, c.PreparedTransactionCount);
        Assert.Equal(K("prepared").ToArray(), await c.FetchAsync(Hashed, E(2), D, A));
        Assert.Equal(K("committed").ToArray(), await c.FetchAsync(Hashed, E(1), D, A));
        byte[] records = new byte[400];
        Assert.Equal(400, (await c.ReadAsync(Hashed, E(2), D, Arr, 0, 4, records)).Length);
        Assert.Equal(Bytes(400, 1), records);
        // The committed records went into their trees: the dkey D's akey A holds two versions, Arr one extent, and
        // the akey punch made dkey "other" with a punched akey.
        TreeReport trees = c.VerifyTrees();
        Assert.Equal((1, 2, 3, 4, 0), (trees.Objects, trees.Dkeys, trees.Akeys.Count, trees.Records, trees.PreparedRecords));

        await pool.DisposeAsync();
        pool = await VosPool.OpenAsync(medium, null);
        c = await pool.OpenContainerAsync(ContainerId);
        Assert.Equal(K("prepared").ToArray(), await c.FetchAsync(Hashed, E(2), D, A));
        await ThrowsDaos(DaosError.NonExistent, () => c.CommitTransactionAsync(new VosTransactionId(7)).AsTask());
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task Abort_discards_prepared_records_and_frees_their_space()
    {
        (SimulatedMedium medium, VosPool pool, VosContainer c) = await NewAsync();
        await c.UpdateAsync(Hashed, E(1), D, A, K("kept"));
        VosSpace before = pool.QuerySpace();
        long records = c.RecordCount;
        await c.UpdateAsync(new VosTransactionId(9), Hashed, E(2), D, A, Bytes(10_000, 2));
        await c.UpdateAsync(new VosTransactionId(9), Hashed, E(2), D, K("b"), K("small"));
        Assert.True(pool.QuerySpace().BlobUsedBytes > before.BlobUsedBytes);
        await c.AbortTransactionAsync(new VosTransactionId(9));
        Assert.Equal(before, pool.QuerySpace());
        Assert.Equal(records, c.RecordCount);
        Assert.Equal(K("kept").ToArray(), await c.FetchAsync(Hashed, E(9), D, A));
        await ThrowsDaos(DaosError.InvalidArgument, () => c.UpdateAsync(new VosTransactionId(0), Hashed, E(2), D, A, K("x")).AsTask());
        await ThrowsDaos(DaosError.NonExistent, () => c.AbortTransactionAsync(new VosTransactionId(9)).AsTask());
        await pool.DisposeAsync();
        pool = await VosPool.OpenAsync(medium, null);
        c = await pool.OpenContainerAsync(ContainerId);
        Assert.Equal(0, c.PreparedTransactionCount);
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task Aggregation_and_discard_leave_prepared_records_alone()
    {
        (_, VosPool pool, VosContainer c) = await NewAsync();
        await c.UpdateAsync(Hashed, E(1), D, A, K("one"));
        await c.UpdateAsync(new VosTransactionId(5), Hashed, E(3), D, A, K("three"));
        await c.PunchAkeyAsync(Hashed, E(4), D, A);
        await c.UpdateAsync(Hashed, E(6), D, A, K("six"));
        await c.AggregateAsync(E(10)); // held below epoch 3 by the prepared record
        await c.DiscardAsync(E(3), E(3));
        await c.CommitTransactionAsync(new VosTransactionId(5));
        Assert.Equal(K("three").ToArray(), await c.FetchAsync(Hashed, E(3), D, A));
        Assert.Null(await c.FetchAsync(Hashed, E(5), D, A));
        Assert.Equal(K("six").ToArray(), await c.FetchAsync(Hashed, E(6), D, A));
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task Prepared_transactions_are_listed_after_a_restart_and_resolved_by_id()
    {
        (SimulatedMedium medium, VosPool pool, VosContainer c) = await NewAsync();
        await c.UpdateAsync(Hashed, E(1), D, A, K("base"));
        await c.WriteAsync(Hashed, E(1), D, Arr, 0, 4, Bytes(40, 1));
        var commit = new VosTransactionId(21);
        var abort = new VosTransactionId(22);
        await c.PunchDkeyAsync(commit, Hashed, E(4), D);
        await c.PunchExtentsAsync(commit, Hashed, E(3), D, Arr, new Extent(2, 3));
        await c.UpdateAsync(abort, Hashed, E(5), K("d2"), A, K("never"));
        await c.PunchObjectAsync(abort, Hashed, E(6));
        await c.WriteAsync(abort, Hashed, E(7), D, Arr, 0, 4, Bytes(8, 2));

        medium.Crash(3);
        pool = await VosPool.OpenAsync(medium, null);
        c = await pool.OpenContainerAsync(ContainerId);
        Assert.Equal(
            [new VosPreparedTransaction(commit, E(3), E(4), 2), new VosPreparedTransaction(abort, E(5), E(7), 3)],
            c.ListPreparedTransactions());
        Assert.Equal(K("base").ToArray(), await c.FetchAsync(Hashed, E(9), D, A)); // nothing prepared is visible
        Assert.Single(await ToListAsync(c.ListObjectsAsync(E(9))));

        await c.AbortTransactionAsync(abort);
        await c.CommitTransactionAsync(commit);
        Assert.Empty(c.ListPreparedTransactions());
        Assert.Equal(K("base").ToArray(), await c.FetchAsync(Hashed, E(3), D, A));
        Assert.Null(await c.FetchAsync(Hashed, E(4), D, A));
        ArrayReadResult r = await c.ReadAsync(Hashed, E(3), D, Arr, 0, 4, new byte[40]);
        Assert.Equal([new Extent(2, 3)], r.Holes);
        Assert.Empty(await ToListAsync(c.ListDkeysAsync(Hashed, E(9))));
        TreeReport trees = c.VerifyTrees(); // the aborted records left no node behind (no dkey "d2", no object punch)
        Assert.Equal((1, 1, 2, 4, 0), (trees.Objects, trees.Dkeys, trees.Akeys.Count, trees.Records, trees.PreparedRecords));
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task Transaction_id_zero_is_refused_by_every_operation()
    {
        (_, VosPool pool, VosContainer c) = await NewAsync();
        var zero = new VosTransactionId(0);
        await ThrowsDaos(DaosError.InvalidArgument, () => c.UpdateAsync(zero, Hashed, E(1), D, A, K("x")).AsTask());
        await ThrowsDaos(DaosError.InvalidArgument, () => c.WriteAsync(zero, Hashed, E(1), D, Arr, 0, 4, Bytes(4, 1)).AsTask());
        await ThrowsDaos(DaosError.InvalidArgument, () => c.PunchObjectAsync(zero, Hashed, E(1)).AsTask());
        await ThrowsDaos(DaosError.InvalidArgument, () => c.PunchDkeyAsync(zero, Hashed, E(1), D).AsTask());
        await ThrowsDaos(DaosError.InvalidArgument, () => c.PunchAkeyAsync(zero, Hashed, E(1), D, A).AsTask());
        await ThrowsDaos(DaosError.InvalidArgument, () => c.PunchExtentsAsync(zero, Hashed, E(1), D, Arr, new Extent(0, 1)).AsTask());
        await ThrowsDaos(DaosError.InvalidArgument, () => c.CommitTransactionAsync(zero).AsTask());
        await ThrowsDaos(DaosError.InvalidArgument, () => c.AbortTransactionAsync(zero).AsTask());
        Assert.Equal(0, c.RecordCount);
        await pool.DisposeAsync();
    }
}
