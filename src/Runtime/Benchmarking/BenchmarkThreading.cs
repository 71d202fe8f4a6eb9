using OnnxBn.Runtime.Sessions;

namespace OnnxBn.Runtime.Benchmarking;

/// <summary>
/// Where the benchmarked sessions get their threads. Two sessions with pools of their own disturb each other when
/// run interleaved: after a run, the idle session's workers keep spinning on the cores the other session's run
/// needs (on 2 cores this moved the book MLP's folded/original ratio from 0.47 to 0.60). So two models share the
/// environment's global pool when it has the asked-for size, which is how each model runs alone; otherwise their own
/// pools stop spinning. One model, or one thread (no pool at all), keeps ONNX Runtime's defaults.
/// </summary>
public static class BenchmarkThreading
{
    /// <summary>The setting reported as <c>settings.threadPool</c> and the session options that realize it.</summary>
    public static (string Description, SessionSettings Settings) Choose(InferenceBenchmarkOptions options, int models)
    {
        ArgumentNullException.ThrowIfNull(options);
        var session = options.ToSessionSettings();
        var pools = OrtSetup.ThreadPools;
        if (pools is not null && pools.IntraOpThreads == options.Threads)
        {
            session.UseGlobalThreadPools = true;
            return (pools.ToString(), session);
        }
        if (models > 1 && options.Threads != 1)
        {
            session.AllowSpinning = false;
            return ("one pool per session, no spinning", session);
        }
        return (options.Threads == 1 ? "calling thread only" : "one pool per session", session);
    }

    /// <summary>The pools <c>onnxbn bench</c> asks for before its first session, sized by <c>--threads</c>.</summary>
    public static GlobalThreadPools PoolsFor(int threads) => new(IntraOpThreads: threads, InterOpThreads: 1, AllowSpinning: true);
}
