using static Daos.Vos.Tests.Store.VosTestKit;

namespace Daos.Vos.Tests.Store;

/// <summary>DAOS's conditional flags (REFERENCE.md 1.3): must-exist fetches and punches, dkey-level insert and update.</summary>
public sealed class VosConditionTests
{
    private static readonly ReadOnlyMemory<byte> D = K("dkey"), A = K("akey"), Arr = K("array");

    [Fact]
    public async Task Must_exist_fetches_fail_with_NonExistent_exactly_where_the_key_is_not_visible()
    {
        (_, VosPool pool, VosContainer c) = await NewAsync();
        await c.UpdateAsync(Hashed, E(2), D, A, K("v"));
        await c.WriteAsync(Hashed, E(2), D, Arr, 0, 4, Bytes(8, 1));
        await c.PunchAkeyAsync(Hashed, E(4), D, A);

        // Without a condition a missing value fetches as null; with one, the missing key is an error.
        Assert.Null(await c.FetchAsync(Hashed, E(1), D, A));
        await ThrowsDaos(DaosError.NonExistent, () => c.FetchAsync(Hashed, E(1), D, A, VosCondition.AkeyFetch).AsTask());
        await ThrowsDaos(DaosError.NonExistent, () => c.FetchAsync(Hashed, E(1), D, A, VosCondition.DkeyFetch).AsTask());
        Assert.Equal(K("v").ToArray(), await c.FetchAsync(Hashed, E(3), D, A, VosCondition.DkeyFetch | VosCondition.AkeyFetch));
        await ThrowsDaos(DaosError.NonExistent, () => c.FetchAsync(Hashed, E(4), D, A, VosCondition.AkeyFetch).AsTask());
        Assert.Null(await c.FetchAsync(Hashed, E(4), D, A, VosCondition.DkeyFetch)); // the array keeps the dkey alive
        await ThrowsDaos(DaosError.NonExistent, () => c.FetchAsync(Hashed, E(9), K("other"), A, VosCondition.DkeyFetch).AsTask());

        byte[] buffer = new byte[8];
        Assert.Equal(8, (await c.ReadAsync(Hashed, E(4), D, Arr, 0, 4, buffer, VosCondition.AkeyFetch)).Length);
        await ThrowsDaos(DaosError.NonExistent, () => c.ReadAsync(Hashed, E(1), D, Arr, 0, 4, buffer, VosCondition.AkeyFetch).AsTask());
        await c.PunchObjectAsync(Hashed, E(6));
        await ThrowsDaos(DaosError.NonExistent, () => c.ReadAsync(Hashed, E(6), D, Arr, 0, 4, buffer, VosCondition.DkeyFetch).AsTask());
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task Must_exist_punches_fail_with_NonExistent_and_write_nothing()
    {
        (_, VosPool pool, VosContainer c) = await NewAsync();
        await ThrowsDaos(DaosError.NonExistent, () => c.PunchAkeyAsync(Hashed, E(1), D, A, VosCondition.Punch).AsTask());
        await ThrowsDaos(DaosError.NonExistent, () => c.PunchDkeyAsync(Hashed, E(1), D, VosCondition.Punch).AsTask());
        await ThrowsDaos(DaosError.NonExistent, () => c.PunchObjectAsync(Hashed, E(1), VosCondition.Punch).AsTask());
        Assert.Equal(0, c.RecordCount);

        await c.UpdateAsync(Hashed, E(2), D, A, K("v"));
        await ThrowsDaos(DaosError.NonExistent, () => c.PunchAkeyAsync(Hashed, E(1), D, A, VosCondition.Punch).AsTask()); // not yet at epoch 1
        await c.PunchAkeyAsync(Hashed, E(3), D, A, VosCondition.Punch);
        await ThrowsDaos(DaosError.NonExistent, () => c.PunchAkeyAsync(Hashed, E(4), D, A, VosCondition.Punch).AsTask()); // already punched
        await ThrowsDaos(DaosError.NonExistent, () => c.PunchDkeyAsync(Hashed, E(4), D, VosCondition.Punch).AsTask()); // its last akey is gone
        long records = c.RecordCount;
        await c.UpdateAsync(Hashed, E(5), D, K("b"), K("w"));
        await c.PunchDkeyAsync(Hashed, E(6), D, VosCondition.Punch);
        await ThrowsDaos(DaosError.NonExistent, () => c.PunchObjectAsync(Hashed, E(7), VosCondition.Punch).AsTask());
        await c.PunchObjectAsync(Hashed, E(5), VosCondition.Punch); // at epoch 5 the object still exists
        Assert.Equal(records + 3, c.RecordCount);
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task Dkey_insert_and_update_conditions_check_the_dkey_and_fail_atomically()
    {
        (_, VosPool pool, VosContainer c) = await NewAsync();
        await ThrowsDaos(DaosError.NonExistent, () => c.UpdateAsync(Hashed, E(1), D, A, K("v"), VosCondition.DkeyUpdate).AsTask());
        await c.UpdateAsync(Hashed, E(1), D, A, K("v"), VosCondition.DkeyInsert);
        await ThrowsDaos(DaosError.Exists, () => c.UpdateAsync(Hashed, E(2), D, K("b"), K("v"), VosCondition.DkeyInsert).AsTask());
        await c.UpdateAsync(Hashed, E(2), D, K("b"), K("v"), VosCondition.DkeyUpdate | VosCondition.InsertOnly);
        await ThrowsDaos(DaosError.Exists, () => c.UpdateAsync(Hashed, E(3), D, K("b"), K("v"), VosCondition.DkeyUpdate | VosCondition.InsertOnly).AsTask());
        await ThrowsDaos(DaosError.NonExistent, () => c.WriteAsync(Hashed, E(3), D, Arr, 0, 4, Bytes(4, 1), VosCondition.UpdateOnly).AsTask());
        await c.WriteAsync(Hashed, E(3), D, Arr, 0, 4, Bytes(4, 1), VosCondition.DkeyUpdate | VosCondition.InsertOnly);
        await c.WriteAsync(Hashed, E(4), D, Arr, 1, 4, Bytes(4, 2), VosCondition.UpdateOnly);

        // A failed condition changes nothing, not even a blob block.
        VosSpace space = pool.QuerySpace();
        long records = c.RecordCount;
        await ThrowsDaos(DaosError.Exists, () => c.UpdateAsync(Hashed, E(5), D, A, Bytes(10_000, 3), VosCondition.InsertOnly).AsTask());
        await ThrowsDaos(DaosError.NonExistent, () => c.UpdateAsync(Hashed, E(5), K("x"), A, Bytes(10_000, 3), VosCondition.DkeyUpdate).AsTask());
        Assert.Equal(space, pool.QuerySpace());
        Assert.Equal(records, c.RecordCount);
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task Conditions_that_do_not_apply_to_an_operation_are_invalid_arguments()
    {
        (_, VosPool pool, VosContainer c) = await NewAsync();
        await c.UpdateAsync(Hashed, E(1), D, A, K("v"));
        await ThrowsDaos(DaosError.InvalidArgument, () => c.UpdateAsync(Hashed, E(2), D, A, K("v"), VosCondition.InsertOnly | VosCondition.UpdateOnly).AsTask());
        await ThrowsDaos(DaosError.InvalidArgument, () => c.UpdateAsync(Hashed, E(2), D, A, K("v"), VosCondition.DkeyInsert | VosCondition.DkeyUpdate).AsTask());
        await ThrowsDaos(DaosError.InvalidArgument, () => c.UpdateAsync(Hashed, E(2), D, A, K("v"), VosCondition.AkeyFetch).AsTask());
        await ThrowsDaos(DaosError.InvalidArgument, () => c.UpdateAsync(Hashed, E(2), D, A, K("v"), VosCondition.Punch).AsTask());
        await ThrowsDaos(DaosError.InvalidArgument, () => c.FetchAsync(Hashed, E(2), D, A, VosCondition.UpdateOnly).AsTask());
        await ThrowsDaos(DaosError.InvalidArgument, () => c.FetchAsync(Hashed, E(2), D, A, (VosCondition)(1 << 7)).AsTask());
        await ThrowsDaos(DaosError.InvalidArgument, () => c.PunchAkeyAsync(Hashed, E(2), D, A, VosCondition.AkeyFetch).AsTask());
        await ThrowsDaos(DaosError.InvalidArgument, () => c.PunchObjectAsync(Hashed, E(2), VosCondition.InsertOnly).AsTask());
        Assert.Equal(1, c.RecordCount);
        await pool.DisposeAsync();
    }
}
