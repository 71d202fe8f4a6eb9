using System.Globalization;

namespace OnnxBn.Runtime.Sessions;

/// <summary>
/// ONNX Runtime's process-wide thread pools, fixed when <see cref="OrtSetup.Initialize"/> creates the environment and
/// shared by every session created with <see cref="SessionSettings.UseGlobalThreadPools"/>. An app serving several
/// models avoids one pool per session (threads that, after a run, spin on cores the next session needs); a benchmark
/// of two models interleaved sees each model as it runs alone.
/// </summary>
/// <param name="IntraOpThreads">Threads inside one operator (0 = ONNX Runtime's default, one per physical core; 1 = the calling thread only).</param>
/// <param name="InterOpThreads">Threads running independent nodes in parallel execution mode (0 = default).</param>
/// <param name="AllowSpinning">Whether idle workers spin before sleeping (ONNX Runtime's default; off saves CPU when the machine is busy).</param>
public sealed record GlobalThreadPools(int IntraOpThreads = 0, int InterOpThreads = 0, bool AllowSpinning = true)
{
    /// <summary>Describes the pools for reports, like "shared global pool (2 intra-op threads, spinning)".</summary>
    public override string ToString()
    {
        var threads = IntraOpThreads switch
        {
            0 => "default intra-op threads",
            1 => "1 intra-op thread",
            _ => $"{IntraOpThreads.ToString(CultureInfo.InvariantCulture)} intra-op threads",
        };
        return $"shared global pool ({threads}, {(AllowSpinning ? "spinning" : "no spinning")})";
    }
}
