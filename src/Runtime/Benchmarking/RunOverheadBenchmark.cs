using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using OnnxBn.Runtime.Data;
using OnnxBn.Runtime.Sessions;

namespace OnnxBn.Runtime.Benchmarking;

/// <summary>
/// What our steady-state path adds to one run, on a model so small that ONNX Runtime's own work is near zero. The
/// anchor is a plain official <see cref="InferenceSession.RunWithBinding(RunOptions, OrtIoBinding)"/> with bound
/// OrtValues; against it: <see cref="PreparedRun"/> (the path <c>verify</c> and <c>bench</c> time), the official
/// <c>Run</c> into pre-allocated outputs, and the convenient <see cref="ModelSession.Run"/> that returns owned
/// outputs. Methods run in interleaved blocks; each block's time divided by its run count is one sample.
/// </summary>
public static class RunOverheadBenchmark
{
    /// <summary>Measures <paramref name="blocks"/> blocks of <paramref name="runsPerBlock"/> runs of each method.</summary>
    /// <param name="modelPath">A tiny model with tensor inputs (batch 1 is used).</param>
    /// <param name="blocks">Timed blocks per method (one sample each).</param>
    /// <param name="runsPerBlock">Runs per block.</param>
    public static RunOverheadResult Run(string modelPath, int blocks = 30, int runsPerBlock = 2000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blocks, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(runsPerBlock, 1);
        using var session = ModelSession.Open(modelPath, new SessionSettings { IntraOpThreads = 1 });
        using var prepared = new PreparedRun(session, 1, 0);
        var inputs = BenchmarkInputs.Create(session, 1, 0);
        var outputs = new List<OrtValue>();
        try
        {
            using var runOptions = new RunOptions();
            using var binding = session.CreateIoBinding();
            foreach (var (name, value) in inputs)
                binding.BindInput(name, value);
            using (var first = session.Run(inputs))
            {
                var k = 0;
                foreach (var value in first)
                {
                    var owned = TensorDataInterop.Allocate(value.ElementType(), value.Shape());
                    outputs.Add(owned);
                    binding.BindOutput(session.Outputs[k++].Name, owned);
                }
            }
            string[] inNames = [.. inputs.Keys], outNames = [.. session.Outputs.Select(o => o.Name)];
            OrtValue[] inValues = [.. inputs.Values], outValues = [.. outputs];
            var official = session.Session;

            var methods = new (string Name, Action Body)[]
            {
                ("official RunWithBinding", () => official.RunWithBinding(runOptions, binding)),
                ("PreparedRun (bench path)", () => prepared.RunMilliseconds()),
                ("official Run into pre-allocated outputs", () => official.Run(runOptions, inNames, inValues, outNames, outValues)),
                ("ModelSession.Run owned outputs", () => session.Run(inputs).Dispose()),
            };
            var perRun = methods.Select(_ => new double[blocks]).ToArray();
            var allocated = new long[methods.Length];
            foreach (var (_, body) in methods)
                for (var i = 0; i < 200; i++)
                    body();
            for (var block = 0; block < blocks; block++)
            {
                for (var k = 0; k < methods.Length; k++)
                {
                    var m = (k + block) % methods.Length;
                    var body = methods[m].Body;
                    var bytes = GC.GetAllocatedBytesForCurrentThread();
                    var start = Stopwatch.GetTimestamp();
                    for (var i = 0; i < runsPerBlock; i++)
                        body();
                    perRun[m][block] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / runsPerBlock;
                    allocated[m] += GC.GetAllocatedBytesForCurrentThread() - bytes;
                }
            }
            var total = (double)blocks * runsPerBlock;
            return new RunOverheadResult(runsPerBlock, methods.Select((m, k) => new RunMethodResult(m.Name,
                LatencyStatistics.Of(perRun[k]), allocated[k] / total,
                RatioStatistics.OfPairs(perRun[0], perRun[k]))).ToArray());
        }
        finally
        {
            foreach (var value in inputs.Values.Concat(outputs))
                value.Dispose();
        }
    }
}

/// <summary>Per-run cost of each way of running, the first being the official anchor.</summary>
/// <param name="RunsPerBlock">Runs timed together as one sample.</param>
/// <param name="Methods">Each way of running.</param>
public sealed record RunOverheadResult(int RunsPerBlock, IReadOnlyList<RunMethodResult> Methods);

/// <summary>One way of running a model: microseconds per run (per block), managed bytes allocated per run, and
/// its per-block ratio to the official anchor.</summary>
/// <param name="Method">What was run.</param>
/// <param name="MicrosecondsPerRun">Per-run time over the blocks.</param>
/// <param name="BytesAllocatedPerRun">Managed bytes allocated per run on the calling thread.</param>
/// <param name="RatioToNative">This method's time over the anchor's, block by block.</param>
public sealed record RunMethodResult(string Method, LatencyStatistics MicrosecondsPerRun, double BytesAllocatedPerRun,
    RatioStatistics RatioToNative);
