using Microsoft.ML.OnnxRuntime;
using OnnxBn.Runtime.Sessions;
using OnnxBn.TestUtilities;

namespace OnnxBn.Runtime.Tests.Sessions;

public sealed class CancellationTests
{
    [Fact]
    public void Cancelling_The_Token_Stops_A_Running_Model()
    {
        using var session = ModelSession.Open(TestModels.MatMulChain(depth: 400, size: 192),
            new SessionSettings { OptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpThreads = 1 });
        using var input = OrtValue.CreateTensorValueFromMemory(new float[192 * 192], [192, 192]);
        var inputs = new Dictionary<string, OrtValue> { ["X"] = input };

        // Cancel a quarter into a run (timed once first); ONNX Runtime reports termination only when it sees the flag between nodes, so one
        // cancelled run proves it, and a few attempts keep a badly scheduled timer from failing the test.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        session.Run(inputs).Dispose();
        var runTime = clock.Elapsed;
        var observed = 0;
        for (var attempt = 0; attempt < 5 && observed == 0; attempt++)
        {
            using var cts = new CancellationTokenSource();
            Workers.Run(1, _ =>
            {
                // Spins instead of sleeping: a timer's resolution is coarser than a quarter run on a busy machine.
                var due = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(runTime.TotalSeconds / 4 * System.Diagnostics.Stopwatch.Frequency);
                while (System.Diagnostics.Stopwatch.GetTimestamp() < due)
                    Thread.SpinWait(100);
                cts.Cancel();
            }, TimeSpan.FromSeconds(30), meanwhile: () =>
            {
                try
                {
                    session.Run(inputs, cancellationToken: cts.Token).Dispose();
                }
                catch (OperationCanceledException ex)
                {
                    Assert.Equal(cts.Token, ex.CancellationToken);
                    Assert.IsType<OnnxRuntimeException>(ex.InnerException);
                    observed++;
                }
            });
        }
        Assert.True(observed == 1, $"no run was cancelled; one run takes {runTime.TotalMilliseconds:F1} ms");

        // The session is still usable after a cancelled run.
        using var results = session.Run(inputs);
        Assert.Single(results);
    }

    [Fact]
    public void An_Already_Cancelled_Token_Does_Not_Start_The_Run()
    {
        using var session = ModelSession.Open(TestModels.AddRelu());
        using var input = OrtValue.CreateTensorValueFromMemory(new float[8], [2, 4]);
        Assert.ThrowsAny<OperationCanceledException>(() =>
            session.Run(new Dictionary<string, OrtValue> { ["X"] = input }, cancellationToken: new CancellationToken(true)));
    }
}
