using Microsoft.ML.OnnxRuntime;
using OnnxBn.Runtime.Benchmarking;
using OnnxBn.Runtime.Sessions;
using OnnxBn.TestUtilities;

namespace OnnxBn.Runtime.Tests.Sessions;

public sealed class SteadyStateRunTests
{
    private static readonly float[] Input = [-3f, 0.5f, -0.5f, 1f, 2f, -2f, 0f, -4f];

    [Fact]
    public void Writes_Into_Preallocated_Outputs()
    {
        using var session = ModelSession.Open(TestModels.AddRelu());
        var y = new float[8];
        var s = new float[8];
        using var input = OrtValue.CreateTensorValueFromMemory(Input, [2, 4]);
        using var output = OrtValue.CreateTensorValueFromMemory(y, [2, 4]);
        using var sum = OrtValue.CreateTensorValueFromMemory(s, [2, 4]);
        using var runOptions = new RunOptions();
        session.RunInto(["X"], [input], ["Y", "S"], [output, sum], runOptions);
        Assert.Equal(ModelSessionTests.Expected, y);
        Assert.Equal(-4f, s[0]);
    }

    [Fact]
    public void Warm_Runs_Of_The_Bench_And_Verify_Path_Allocate_No_Managed_Memory()
    {
        using var session = ModelSession.Open(TestModels.AddRelu(), new SessionSettings { IntraOpThreads = 1 });
        using var prepared = new PreparedRun(session, batch: 2, seed: 1);
        for (var i = 0; i < 20; i++)
            prepared.RunMilliseconds();

        const int runs = 1000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < runs; i++)
            prepared.RunMilliseconds();
        var perRun = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)runs;

        Assert.Equal(0, perRun);
    }

    [Fact]
    public void One_Session_Shared_By_8_Threads_For_1000_Runs_Each_Gives_The_Serial_Results()
    {
        using var session = ModelSession.Open(TestModels.Classifier(), new SessionSettings { IntraOpThreads = 1 });
        const int cases = 64, threads = 8, runsPerThread = 1000;
        var inputs = Enumerable.Range(0, cases).Select(c =>
            Enumerable.Range(0, 3 * 8).Select(i => MathF.Sin(c * 31 + i)).ToArray()).ToArray();

        float[] RunOne(float[] x)
        {
            using var value = OrtValue.CreateTensorValueFromMemory(x, [3, 8]);
            using var results = session.Run(new Dictionary<string, OrtValue> { ["input"] = value });
            return results[0].GetTensorDataAsSpan<float>().ToArray();
        }

        var serial = inputs.Select(RunOne).ToArray();
        var mismatches = 0;
        Workers.Run(threads, t =>
        {
            for (var i = 0; i < runsPerThread; i++)
            {
                var c = (t * 7 + i) % cases;
                if (!RunOne(inputs[c]).AsSpan().SequenceEqual(serial[c]))
                    Interlocked.Increment(ref mismatches);
            }
        }, TimeSpan.FromMinutes(2));
        Assert.Equal(0, mismatches);
    }
}
