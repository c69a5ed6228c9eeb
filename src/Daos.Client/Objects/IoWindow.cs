namespace Daos.Client.Objects;

/// <summary>Runs numbered pieces of work with a bounded number in flight, failing with the first error.</summary>
internal static class IoWindow
{
    public static async ValueTask RunAsync<TState>(int count, int inFlightMax, TState state, Func<TState, int, CancellationToken, ValueTask> body, CancellationToken ct)
    {
        if (count == 1)
        {
            await body(state, 0, ct);
            return;
        }

        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        int next = -1;
        int workers = Math.Min(count, inFlightMax);
        var tasks = new Task[workers];
        for (int w = 0; w < workers; w++)
        {
            tasks[w] = WorkAsync();
        }

        try
        {
            await Task.WhenAll(tasks);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // A sibling failed and cancelled the rest: report the sibling's error, not the cancellation.
            foreach (Task task in tasks)
            {
                if (task.IsFaulted && task.Exception!.InnerException is { } error and not OperationCanceledException)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
                }
            }

            throw;
        }

        async Task WorkAsync()
        {
            try
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < count)
                {
                    failed.Token.ThrowIfCancellationRequested();
                    await body(state, index, failed.Token);
                }
            }
            catch
            {
                await failed.CancelAsync();
                throw;
            }
        }
    }
}
