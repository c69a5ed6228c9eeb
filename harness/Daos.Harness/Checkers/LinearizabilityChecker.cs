namespace Daos.Harness.Checkers;

/// <summary>
/// Decides whether a concurrent history of key-value operations is linearizable: whether some total order of the
/// operations, consistent with real time (an operation that returned before another was invoked comes first) and
/// with a sequential map, explains every response. The history is split by key (operations on different keys
/// commute, so the whole is linearizable iff each key's sub-history is, Herlihy and Wing's locality) and each part is
/// searched with the Wing–Gong algorithm as refined by Lowe: try to linearize the earliest pending call, backtrack
/// when a return is reached first, and memoise (set of linearized operations, model state) pairs already explored
/// so no configuration is searched twice (the approach of Porcupine).
/// </summary>
public static class LinearizabilityChecker
{
    /// <summary>Checks <paramref name="history"/> against a map from string keys to string values, initially empty.</summary>
    /// <param name="history">The operations; order does not matter.</param>
    /// <param name="stepsMax">Search budget over all keys; past it the result is <see cref="LinearizabilityOutcome.Unknown"/>.</param>
    public static LinearizabilityResult CheckKv(IReadOnlyList<KvOperation> history, long stepsMax = 50_000_000)
    {
        ArgumentNullException.ThrowIfNull(history);
        var byKey = new SortedDictionary<string, List<KvOperation>>(StringComparer.Ordinal);
        int count = 0;
        foreach (KvOperation operation in history)
        {
            if (operation.ReturnTime < operation.CallTime)
            {
                throw new ArgumentException($"operation {operation} returns before it is called", nameof(history));
            }

            if (operation.Kind == KvOperationKind.Get && operation.ReturnTime == KvOperation.Pending)
            {
                continue; // A read that never answered constrains nothing.
            }

            if (!byKey.TryGetValue(operation.Key, out List<KvOperation>? list))
            {
                list = [];
                byKey.Add(operation.Key, list);
            }

            list.Add(operation);
            count++;
        }

        long steps = 0;
        foreach ((string key, List<KvOperation> operations) in byKey)
        {
            LinearizabilityOutcome outcome = new WingGongLowe(operations).Run(stepsMax - steps, out long used);
            steps += used;
            if (outcome != LinearizabilityOutcome.Linearizable)
            {
                return new LinearizabilityResult(outcome, key, count, steps);
            }
        }

        return new LinearizabilityResult(LinearizabilityOutcome.Linearizable, null, count, steps);
    }
}
