using Daos.Harness.Time;

namespace Daos.Harness.Scheduling;

/// <summary>
/// Runs asynchronous code on one thread, in an order fixed by a seed, against simulated time. Every continuation
/// (through the <see cref="SynchronizationContext"/> or the <see cref="TaskScheduler"/> it installs) joins one ready
/// queue; the run executes ready items one at a time, choosing among them with the seeded
/// <see cref="DeterministicRandom"/> (or FIFO), and when nothing is ready it advances <see cref="Time"/> to the next
/// timer. The same seed and the same code give the same order, the same simulated times and the same
/// <see cref="TraceHash"/>.
/// </summary>
/// <remarks>
/// Code under test must take its time from <see cref="Time"/> and its randomness from <see cref="Random"/> (or a
/// <see cref="DeterministicRandom.Fork"/> of it), and must not start threads or use the thread pool. Work posted from
/// another thread during a run is counted and fails the run, because it would make the order depend on the OS.
/// </remarks>
public sealed class DeterministicScheduler
{
    private readonly Lock _gate = new();
    private readonly List<WorkItem> _ready = [];
    private readonly DeterministicSchedulerOptions _options;
    private readonly DeterministicContext _context;
    private readonly DeterministicTaskScheduler _taskScheduler;
    private int _runningThreadId;
    private int _foreignPosts;
    private int _readHead;

    /// <summary>Creates a scheduler for one run from <paramref name="seed"/>.</summary>
    public DeterministicScheduler(ulong seed, DeterministicSchedulerOptions? options = null)
    {
        Seed = seed;
        _options = options ?? new DeterministicSchedulerOptions();
        Random = new DeterministicRandom(seed);
        // Scheduling choices draw from their own stream so that code using Random does not shift them.
        OrderRandom = new DeterministicRandom(seed ^ 0x9E3779B97F4A7C15UL);
        Time = new ManualTimeProvider();
        StartTime = Time.GetUtcNow();
        TraceHash = seed;
        _context = new DeterministicContext(this);
        _taskScheduler = new DeterministicTaskScheduler(this);
    }

    /// <summary>The seed this run replays from.</summary>
    public ulong Seed { get; }

    /// <summary>The simulated clock. Advanced only by the scheduler when nothing is ready.</summary>
    public ManualTimeProvider Time { get; }

    /// <summary>Randomness for the code under test (network faults, workloads).</summary>
    public DeterministicRandom Random { get; }

    /// <summary>The simulated time the run started at.</summary>
    public DateTimeOffset StartTime { get; }

    /// <summary>Simulated time elapsed since the start.</summary>
    public TimeSpan Elapsed => Time.GetUtcNow() - StartTime;

    /// <summary>Work items executed so far.</summary>
    public long StepCount { get; private set; }

    /// <summary>A running hash of every traced event with its simulated time: equal hashes mean equal runs.</summary>
    public ulong TraceHash { get; private set; }

    /// <summary>The context that queues posted work here.</summary>
    public SynchronizationContext SynchronizationContext => _context;

    /// <summary>A task scheduler that queues tasks here.</summary>
    public TaskScheduler TaskScheduler => _taskScheduler;

    /// <summary>One line naming the seed, the simulated time, the steps and the trace hash.</summary>
    public string Summary =>
        $"seed={Seed} steps={StepCount} simulated={Elapsed.TotalMilliseconds:F3}ms trace={TraceHash:x16}";

    private DeterministicRandom OrderRandom { get; }

    /// <summary>Queues <paramref name="callback"/>.</summary>
    public void Post(SendOrPostCallback callback, object? state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        lock (_gate)
        {
            if (_runningThreadId != 0 && Environment.CurrentManagedThreadId != _runningThreadId)
            {
                _foreignPosts++;
            }

            _ready.Add(new WorkItem(callback, state));
        }
    }

    /// <summary>Mixes an event into <see cref="TraceHash"/>, together with the current simulated time.</summary>
    public void Trace(ulong kind, ulong a = 0, ulong b = 0, ulong c = 0)
    {
        ulong h = TraceHash;
        h = Crc64.Compute((ulong)Time.GetUtcNow().UtcTicks, h);
        h = Crc64.Compute(kind, h);
        h = Crc64.Compute(a, h);
        h = Crc64.Compute(b, h);
        TraceHash = Crc64.Compute(c, h);
    }

    /// <summary>Runs <paramref name="main"/> to completion and returns its result.</summary>
    /// <exception cref="InvalidOperationException">The run deadlocked (nothing ready, no timer), or work was posted
    /// from another thread. The message names the seed.</exception>
    /// <exception cref="TimeoutException">The run exceeded its simulated-time or step limit.</exception>
    public T Run<T>(Func<Task<T>> main)
    {
        ArgumentNullException.ThrowIfNull(main);
        SynchronizationContext? previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(_context);
        lock (_gate)
        {
            if (_runningThreadId != 0)
            {
                throw new InvalidOperationException("the scheduler is already running");
            }

            _runningThreadId = Environment.CurrentManagedThreadId;
        }

        try
        {
            Task<T> task = Task.Factory.StartNew(main, CancellationToken.None, TaskCreationOptions.None, _taskScheduler).Unwrap();
            while (!task.IsCompleted)
            {
                if (TryTake(out WorkItem item))
                {
                    Step(item);
                    continue;
                }

                DateTimeOffset? due = Time.NextTimerDue;
                if (due is null)
                {
                    throw new InvalidOperationException($"run is stuck: nothing is ready and no timer is armed ({Summary})");
                }

                if (due.Value - StartTime > _options.SimulatedTimeLimit)
                {
                    throw new TimeoutException($"run exceeded {_options.SimulatedTimeLimit} of simulated time ({Summary})");
                }

                TimeSpan delta = due.Value - Time.GetUtcNow();
                Time.Advance(delta > TimeSpan.Zero ? delta : TimeSpan.Zero);
            }

            if (_foreignPosts > 0)
            {
                throw new InvalidOperationException($"{_foreignPosts} work items were posted from other threads ({Summary})");
            }

            _options.Output?.WriteLine(Summary);
            return task.GetAwaiter().GetResult();
        }
        finally
        {
            lock (_gate)
            {
                _runningThreadId = 0;
            }

            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    /// <summary>Runs <paramref name="main"/> to completion.</summary>
    public void Run(Func<Task> main)
    {
        ArgumentNullException.ThrowIfNull(main);
        Run(async () =>
        {
            await main();
            return true;
        });
    }

    /// <summary>Runs ready work, without advancing time, until none is left; returns how many items ran.</summary>
    public int RunUntilIdle()
    {
        int count = 0;
        SynchronizationContext? previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(_context);
        try
        {
            while (TryTake(out WorkItem item))
            {
                Step(item);
                count++;
            }
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }

        return count;
    }

    internal bool IsOnSchedulerThread => Environment.CurrentManagedThreadId == Volatile.Read(ref _runningThreadId);

    private void Step(WorkItem item)
    {
        StepCount++;
        if (StepCount > _options.StepsMax)
        {
            throw new TimeoutException($"run exceeded {_options.StepsMax} steps ({Summary})");
        }

        item.Callback(item.State);
    }

    private bool TryTake(out WorkItem item)
    {
        lock (_gate)
        {
            int count = _ready.Count - _readHead;
            if (count == 0)
            {
                _ready.Clear();
                _readHead = 0;
                item = default;
                return false;
            }

            if (_options.RandomizeOrder && count > 1)
            {
                int pick = _readHead + OrderRandom.Next(count);
                (_ready[pick], _ready[_readHead]) = (_ready[_readHead], _ready[pick]);
            }

            item = _ready[_readHead];
            _ready[_readHead] = default;
            _readHead++;
            if (_readHead > 1024 && _readHead * 2 > _ready.Count)
            {
                _ready.RemoveRange(0, _readHead);
                _readHead = 0;
            }

            return true;
        }
    }

    private readonly record struct WorkItem(SendOrPostCallback Callback, object? State);

    private sealed class DeterministicContext(DeterministicScheduler owner) : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state) => owner.Post(d, state);

        public override void Send(SendOrPostCallback d, object? state)
        {
            if (!owner.IsOnSchedulerThread)
            {
                throw new InvalidOperationException("Send from outside the deterministic scheduler");
            }

            d(state);
        }

        public override SynchronizationContext CreateCopy() => this;
    }

    private sealed class DeterministicTaskScheduler(DeterministicScheduler owner) : TaskScheduler
    {
        private static readonly SendOrPostCallback Execute = static state =>
        {
            var (scheduler, task) = ((DeterministicTaskScheduler, Task))state!;
            scheduler.TryExecuteTask(task);
        };

        public override int MaximumConcurrencyLevel => 1;

        protected override void QueueTask(Task task) => owner.Post(Execute, (this, task));

        protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
            !taskWasPreviouslyQueued && owner.IsOnSchedulerThread && TryExecuteTask(task);

        protected override IEnumerable<Task> GetScheduledTasks() => [];
    }
}
