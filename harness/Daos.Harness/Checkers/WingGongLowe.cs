namespace Daos.Harness.Checkers;

/// <summary>
/// The search for one key's sub-history. Events (calls and returns) sit in a doubly linked list in time order;
/// linearizing an operation lifts its call and return out of the list, backtracking puts them back. The model state
/// is the key's value, interned to an int (-1: absent).
/// </summary>
internal sealed class WingGongLowe
{
    private const int Absent = -1;

    private readonly KvOperation[] _operations;
    private readonly int[] _valueIds;
    private readonly int[] _next;
    private readonly int[] _previous;
    private readonly int[] _operationOf;
    private readonly bool[] _isCall;
    private readonly int[] _returnOf;
    private readonly int _head;

    public WingGongLowe(List<KvOperation> operations)
    {
        _operations = [.. operations];
        int n = _operations.Length;
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        _valueIds = new int[n];
        for (int i = 0; i < n; i++)
        {
            string? value = _operations[i].Kind == KvOperationKind.Delete ? null : _operations[i].Value;
            if (value is null)
            {
                _valueIds[i] = Absent;
            }
            else if (!ids.TryGetValue(value, out _valueIds[i]))
            {
                _valueIds[i] = ids.Count;
                ids.Add(value, ids.Count);
            }
        }

        // Events sorted by time; at equal times calls come first, treating the operations as concurrent.
        var events = new (long Time, bool IsCall, int Operation)[2 * n];
        for (int i = 0; i < n; i++)
        {
            events[2 * i] = (_operations[i].CallTime, true, i);
            events[(2 * i) + 1] = (_operations[i].ReturnTime, false, i);
        }

        Array.Sort(events, static (a, b) =>
        {
            int byTime = a.Time.CompareTo(b.Time);
            if (byTime != 0)
            {
                return byTime;
            }

            return a.IsCall == b.IsCall ? a.Operation.CompareTo(b.Operation) : a.IsCall ? -1 : 1;
        });

        int count = events.Length;
        _head = count;
        _next = new int[count + 1];
        _previous = new int[count + 1];
        _operationOf = new int[count];
        _isCall = new bool[count];
        _returnOf = new int[count];
        var returnIndex = new int[n];
        for (int i = 0; i < count; i++)
        {
            _operationOf[i] = events[i].Operation;
            _isCall[i] = events[i].IsCall;
            if (!events[i].IsCall)
            {
                returnIndex[events[i].Operation] = i;
            }
        }

        for (int i = 0; i < count; i++)
        {
            if (_isCall[i])
            {
                _returnOf[i] = returnIndex[_operationOf[i]];
            }
        }

        // A circular list through the head sentinel.
        for (int i = 0; i <= count; i++)
        {
            _next[i] = i == count ? (count == 0 ? _head : 0) : (i + 1 == count ? _head : i + 1);
            _previous[i] = i == 0 ? _head : i == count ? (count == 0 ? _head : count - 1) : i - 1;
        }
    }

    public LinearizabilityOutcome Run(long stepsMax, out long steps)
    {
        steps = 0;
        int n = _operations.Length;
        var linearized = new ulong[(n + 63) / 64];
        var cache = new HashSet<CacheKey>();
        var stack = new Stack<(int CallEvent, int PreviousState)>();
        int state = Absent;
        int entry = _next[_head];
        while (_next[_head] != _head)
        {
            if (++steps > stepsMax)
            {
                return LinearizabilityOutcome.Unknown;
            }

            if (_isCall[entry])
            {
                int operation = _operationOf[entry];
                if (TryStep(state, operation, out int newState))
                {
                    Set(linearized, operation);
                    if (cache.Add(new CacheKey(linearized, newState)))
                    {
                        stack.Push((entry, state));
                        state = newState;
                        Lift(entry);
                        entry = _next[_head];
                        continue;
                    }

                    Clear(linearized, operation);
                }

                entry = _next[entry];
            }
            else
            {
                // The earliest remaining return belongs to an operation we could not place before it: undo the
                // most recent choice and try the next candidate after it.
                if (stack.Count == 0)
                {
                    return LinearizabilityOutcome.Violation;
                }

                (int callEvent, int previousState) = stack.Pop();
                state = previousState;
                Clear(linearized, _operationOf[callEvent]);
                Unlift(callEvent);
                entry = _next[callEvent];
            }
        }

        return LinearizabilityOutcome.Linearizable;
    }

    private bool TryStep(int state, int operation, out int newState)
    {
        switch (_operations[operation].Kind)
        {
            case KvOperationKind.Put:
                newState = _valueIds[operation];
                return true;
            case KvOperationKind.Delete:
                newState = Absent;
                return true;
            default:
                newState = state;
                return state == _valueIds[operation];
        }
    }

    private void Lift(int callEvent)
    {
        Remove(callEvent);
        Remove(_returnOf[callEvent]);
    }

    private void Unlift(int callEvent)
    {
        // Restore in the reverse order of removal, so each node's saved neighbours are current again.
        Restore(_returnOf[callEvent]);
        Restore(callEvent);
    }

    private void Remove(int node)
    {
        _next[_previous[node]] = _next[node];
        _previous[_next[node]] = _previous[node];
    }

    private void Restore(int node)
    {
        _next[_previous[node]] = node;
        _previous[_next[node]] = node;
    }

    private static void Set(ulong[] bits, int index) => bits[index >> 6] |= 1UL << (index & 63);

    private static void Clear(ulong[] bits, int index) => bits[index >> 6] &= ~(1UL << (index & 63));

    private readonly struct CacheKey : IEquatable<CacheKey>
    {
        private readonly ulong[] _bits;
        private readonly int _state;
        private readonly int _hash;

        public CacheKey(ulong[] bits, int state)
        {
            _bits = (ulong[])bits.Clone();
            _state = state;
            ulong hash = (ulong)(uint)state * 0x9E3779B97F4A7C15UL;
            foreach (ulong word in _bits)
            {
                hash = (hash ^ word) * 0x100000001B3UL;
                hash ^= hash >> 29;
            }

            _hash = (int)hash ^ (int)(hash >> 32);
        }

        public bool Equals(CacheKey other) => _state == other._state && _bits.AsSpan().SequenceEqual(other._bits);

        public override bool Equals(object? obj) => obj is CacheKey other && Equals(other);

        public override int GetHashCode() => _hash;
    }
}
