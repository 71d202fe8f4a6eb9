using System.Collections.Concurrent;
using Xunit;

namespace OnnxBn.TestUtilities;

/// <summary>
/// Runs a body on several dedicated threads and fails the test with whatever any of them threw: an exception that
/// escapes a thread would end the whole test host instead of failing one test.
/// </summary>
public static class Workers
{
    /// <summary>
    /// Starts <paramref name="count"/> threads running <paramref name="body"/> (given the worker's index), runs
    /// <paramref name="meanwhile"/> on the calling thread, then waits for every worker up to <paramref name="timeout"/>.
    /// </summary>
    public static void Run(int count, Action<int> body, TimeSpan timeout, Action? meanwhile = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        var failures = new ConcurrentQueue<Exception>();
        var threads = Enumerable.Range(0, count).Select(index => new Thread(() =>
        {
            try
            {
                body(index);
            }
            catch (Exception ex)
            {
                failures.Enqueue(ex);
            }
        })).ToArray();
        foreach (var thread in threads)
            thread.Start();
        try
        {
            meanwhile?.Invoke();
        }
        finally
        {
            foreach (var thread in threads)
                Assert.True(thread.Join(timeout), $"a worker did not finish within {timeout.TotalSeconds} s");
        }
        if (!failures.IsEmpty)
            throw new AggregateException($"{failures.Count} of {count} workers threw", failures);
    }
}
