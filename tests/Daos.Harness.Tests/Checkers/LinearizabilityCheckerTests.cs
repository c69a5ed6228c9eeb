using Daos.Harness.Checkers;

namespace Daos.Harness.Tests.Checkers;

public sealed class LinearizabilityCheckerTests
{
    private static KvOperation Put(string key, string value, long call, long ret, int client = 0) => new(client, KvOperationKind.Put, key, value, call, ret);

    private static KvOperation Get(string key, string? value, long call, long ret, int client = 0) => new(client, KvOperationKind.Get, key, value, call, ret);

    private static KvOperation Delete(string key, long call, long ret, int client = 0) => new(client, KvOperationKind.Delete, key, null, call, ret);

    private static LinearizabilityOutcome Check(params KvOperation[] history) => LinearizabilityChecker.CheckKv(history).Outcome;

    [Fact]
    public void Empty_history_is_linearizable() => Assert.Equal(LinearizabilityOutcome.Linearizable, Check());

    [Fact]
    public void Sequential_history_that_reads_its_writes_is_linearizable() =>
        Assert.Equal(LinearizabilityOutcome.Linearizable, Check(
            Get("x", null, 0, 1), Put("x", "1", 2, 3), Get("x", "1", 4, 5), Delete("x", 6, 7), Get("x", null, 8, 9)));

    [Fact]
    public void Read_concurrent_with_a_write_may_see_either_value()
    {
        Assert.Equal(LinearizabilityOutcome.Linearizable, Check(Put("x", "1", 0, 1), Put("x", "2", 2, 10), Get("x", "1", 3, 4, 1)));
        Assert.Equal(LinearizabilityOutcome.Linearizable, Check(Put("x", "1", 0, 1), Put("x", "2", 2, 10), Get("x", "2", 3, 4, 1)));
    }

    [Fact]
    public void Stale_read_after_a_completed_write_is_a_violation() =>
        Assert.Equal(LinearizabilityOutcome.Violation, Check(Put("x", "1", 0, 1), Put("x", "2", 2, 3), Get("x", "1", 4, 5, 1)));

    [Fact]
    public void Read_of_a_value_never_written_is_a_violation() =>
        Assert.Equal(LinearizabilityOutcome.Violation, Check(Put("x", "1", 0, 1), Get("x", "7", 2, 3, 1)));

    [Fact]
    public void New_then_old_read_inversion_is_a_violation()
    {
        // put(2) is concurrent with both reads, but the first read saw 2 and returned before the second read began,
        // so the second cannot see the older 1.
        Assert.Equal(LinearizabilityOutcome.Violation, Check(
            Put("x", "1", 0, 1), Put("x", "2", 2, 20), Get("x", "2", 3, 4, 1), Get("x", "1", 5, 6, 2)));
        Assert.Equal(LinearizabilityOutcome.Linearizable, Check(
            Put("x", "1", 0, 1), Put("x", "2", 2, 20), Get("x", "1", 3, 4, 1), Get("x", "2", 5, 6, 2)));
    }

    [Fact]
    public void Read_after_a_completed_delete_must_see_absence()
    {
        Assert.Equal(LinearizabilityOutcome.Violation, Check(Put("x", "1", 0, 1), Delete("x", 2, 3), Get("x", "1", 4, 5)));
        Assert.Equal(LinearizabilityOutcome.Linearizable, Check(Put("x", "1", 0, 1), Delete("x", 2, 6), Get("x", "1", 4, 5)));
    }

    [Fact]
    public void Pending_write_may_or_may_not_take_effect()
    {
        Assert.Equal(LinearizabilityOutcome.Linearizable, Check(Put("x", "1", 0, KvOperation.Pending), Get("x", "1", 5, 6, 1)));
        Assert.Equal(LinearizabilityOutcome.Linearizable, Check(Put("x", "1", 0, KvOperation.Pending), Get("x", null, 5, 6, 1)));

        // But once it is seen, it cannot be un-seen.
        Assert.Equal(LinearizabilityOutcome.Violation, Check(
            Put("x", "1", 0, KvOperation.Pending), Get("x", "1", 5, 6, 1), Get("x", null, 7, 8, 1)));
    }

    [Fact]
    public void Violation_names_the_key_whose_history_fails()
    {
        LinearizabilityResult result = LinearizabilityChecker.CheckKv([
            Put("a", "1", 0, 1), Get("a", "1", 2, 3),
            Put("b", "1", 0, 1), Put("b", "2", 2, 3), Get("b", "1", 4, 5),
        ]);
        Assert.Equal(LinearizabilityOutcome.Violation, result.Outcome);
        Assert.Equal("b", result.Key);
    }

    [Fact]
    public void Exhausted_budget_answers_unknown()
    {
        var history = new List<KvOperation>();
        for (int i = 0; i < 20; i++)
        {
            history.Add(Put("x", i.ToString(System.Globalization.CultureInfo.InvariantCulture), 0, 100, i));
        }

        history.Add(Get("x", "nope", 0, 100, 99));
        Assert.Equal(LinearizabilityOutcome.Unknown, LinearizabilityChecker.CheckKv(history, stepsMax: 50).Outcome);
    }

    [Fact]
    public void Many_concurrent_writes_with_an_impossible_read_are_refuted_thanks_to_memoisation()
    {
        // 16 concurrent puts and one read of a value nobody wrote: without memoisation the search would try 16!
        // orders; with it, it explores subsets.
        var history = new List<KvOperation>();
        for (int i = 0; i < 16; i++)
        {
            history.Add(Put("x", i.ToString(System.Globalization.CultureInfo.InvariantCulture), 0, 100, i));
        }

        history.Add(Get("x", "nope", 50, 60, 99));
        LinearizabilityResult result = LinearizabilityChecker.CheckKv(history);
        Assert.Equal(LinearizabilityOutcome.Violation, result.Outcome);
    }

    [Fact]
    public void Random_histories_built_from_a_real_order_are_linearizable_and_a_corrupted_read_is_caught()
    {
        for (ulong seed = 1; seed <= 300; seed++)
        {
            var random = new DeterministicRandom(seed);
            List<KvOperation> history = RandomLinearizableHistory(random, out int readIndex);
            LinearizabilityResult ok = LinearizabilityChecker.CheckKv(history);
            Assert.True(ok.IsLinearizable, $"seed {seed}: a history generated from a sequential order was judged {ok.Outcome} on key {ok.Key}");
            if (readIndex >= 0)
            {
                history[readIndex] = history[readIndex] with { Value = "never-written" };
                LinearizabilityResult broken = LinearizabilityChecker.CheckKv(history);
                Assert.True(broken.Outcome == LinearizabilityOutcome.Violation, $"seed {seed}: a read of a value never written was judged {broken.Outcome}");
            }
        }
    }

    /// <summary>
    /// Runs operations against a real map, each taking effect at a point strictly inside its [call, return]
    /// interval, with intervals overlapping at random.
    /// </summary>
    private static List<KvOperation> RandomLinearizableHistory(DeterministicRandom random, out int readIndex)
    {
        var map = new Dictionary<string, string>();
        var history = new List<KvOperation>();
        readIndex = -1;
        int count = random.Next(5, 40);
        long time = 0;
        for (int i = 0; i < count; i++)
        {
            time += 10;
            long call = time - random.Next(0, 9);
            long ret = time + random.Next(1, 9);
            string key = random.Next(3) switch { 0 => "a", 1 => "b", _ => "c" };
            int kind = random.Next(5);
            if (kind <= 1)
            {
                string value = $"v{i}";
                map[key] = value;
                history.Add(Put(key, value, call, random.Chance(0.1) ? KvOperation.Pending : ret, i));
            }
            else if (kind == 2)
            {
                map.Remove(key);
                history.Add(Delete(key, call, ret, i));
            }
            else
            {
                history.Add(Get(key, map.GetValueOrDefault(key), call, ret, i));
                readIndex = history.Count - 1;
            }
        }

        return history;
    }
}
