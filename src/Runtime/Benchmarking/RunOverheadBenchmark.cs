using System.Diagnostics;
using OnnxBn.Runtime.Native;
using OnnxBn.Runtime.Session;
using OnnxBn.Runtime.Values;

namespace OnnxBn.Runtime.Benchmarking;

/// <summary>
/// What our binding adds to one run, on a model so small that ONNX Runtime's own work is near zero. The floor is the
/// bare C call <c>RunWithBinding(session, NULL, binding)</c> on raw handles (no SafeHandle reference counting, no
/// status wrapping); against it: our <see cref="InferenceSession.Run(IoBinding, RunOptions)"/>, our pre-bound
/// <c>Run(names, values, names, values)</c>, and the convenient dictionary <c>Run</c> that returns owned outputs.
/// Methods run in interleaved blocks; each block's time divided by its run count is one sample.
/// </summary>
public static unsafe class RunOverheadBenchmark
{
    /// <summary>Measures <paramref name="blocks"/> blocks of <paramref name="runsPerBlock"/> runs of each method.</summary>
    /// <param name="modelPath">A tiny model with one float input of shape [N, ...] (batch 1 is used).</param>
    /// <param name="blocks">Timed blocks per method (one sample each).</param>
    /// <param name="runsPerBlock">Runs per block.</param>
    public static RunOverheadResult Run(string modelPath, int blocks = 30, int runsPerBlock = 2000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blocks, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(runsPerBlock, 1);
        using var session = new InferenceSession(modelPath, new SessionOptions { IntraOpNumThreads = 1 });
        var inputs = BenchmarkInputs.Create(session, 1, 0);
        var outputs = new List<OrtValue>();
        try
        {
            using var binding = session.CreateIoBinding();
            foreach (var (name, value) in inputs)
                binding.BindInput(name, value);
            using (var first = session.Run(inputs))
            {
                for (var i = 0; i < first.Count; i++)
                {
                    var value = OrtValue.Allocate(first[i].ElementType, first[i].Shape);
                    outputs.Add(value);
                    binding.BindOutput(first.Names[i], value);
                }
            }
            string[] inNames = [.. inputs.Keys], outNames = [.. session.Outputs.Select(o => o.Name)];
            OrtValue[] inValues = [.. inputs.Values], outValues = [.. outputs];
            var api = OrtApi.Instance;
            var rawSession = session.Handle.DangerousGetHandle();
            var rawBinding = binding.Handle.DangerousGetHandle();

            var methods = new (string Name, Action Body)[]
            {
                ("native RunWithBinding", () => api.Check(api.RunWithBinding(rawSession, 0, rawBinding))),
                ("Run(IoBinding)", () => session.Run(binding)),
                ("Run(names, values) pre-bound", () => session.Run(inNames, inValues, outNames, outValues)),
                ("Run(dictionary) owned outputs", () => session.Run(inputs).Dispose()),
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
            GC.KeepAlive(binding);
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

/// <summary>Per-run cost of each way of running, the first being the native floor.</summary>
public sealed record RunOverheadResult(int RunsPerBlock, IReadOnlyList<RunMethodResult> Methods);

/// <summary>One way of running a model: microseconds per run (per block), managed bytes allocated per run, and
/// its per-block ratio to the native floor.</summary>
public sealed record RunMethodResult(string Method, LatencyStatistics MicrosecondsPerRun, double BytesAllocatedPerRun,
    RatioStatistics RatioToNative);
