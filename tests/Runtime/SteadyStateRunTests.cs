using OnnxBn.Runtime.Session;
using OnnxBn.Runtime.Values;

namespace OnnxBn.Runtime.Tests;

/// <summary>Pre-bound runs: results match the allocating path, and warm runs allocate no managed memory.</summary>
public sealed class SteadyStateRunTests
{
    private static readonly float[] Input = [-3f, 0.5f, -0.5f, 1f, 2f, -2f, 0f, -4f];
    private static readonly float[] ExpectedY = [0f, 0.5f, 0.5f, 3f, 1f, 0f, 1f, 0f];

    [Fact]
    public void Writes_Into_Preallocated_Outputs()
    {
        using var session = new InferenceSession(TestModels.AddRelu());
        var y = new float[8];
        using var input = OrtValue.CreateTensor(Input, [2, 4]);
        using var output = OrtValue.CreateTensor(y, [2, 4]);
        using var sum = OrtValue.Allocate<float>([2, 4]);
        session.Run(["X"], [input], ["Y", "S"], [output, sum]);
        Assert.Equal(ExpectedY, y);
        Assert.Equal(-4f, sum.ToArray<float>()[0]);
    }

    [Fact]
    public void IoBinding_Runs_With_Bound_And_Runtime_Allocated_Outputs()
    {
        using var session = new InferenceSession(TestModels.AddRelu());
        using var binding = session.CreateIoBinding();
        var y = new float[8];
        using var input = OrtValue.CreateTensor(Input, [2, 4]);
        using var output = OrtValue.CreateTensor(y, [2, 4]);
        binding.BindInput("X", input);
        binding.BindOutput("Y", output);
        binding.BindOutputToCpu("S");
        session.Run(binding);
        Assert.Equal(ExpectedY, y);

        using var results = binding.GetOutputValues();
        Assert.Equal(["Y", "S"], results.Names);
        Assert.Equal(ExpectedY, results["Y"].ToArray<float>());
        Assert.Equal([2L, 4L], results["S"].Shape.ToArray());
        Assert.Equal(-4f, results["S"].ToArray<float>()[0]);

        Assert.Throws<ArgumentException>(() => binding.BindInput("nope", input));
    }

    [Fact]
    public void Binding_Keeps_Its_Session_Alive_After_The_Session_Is_Disposed()
    {
        var session = new InferenceSession(TestModels.AddRelu());
        using var binding = session.CreateIoBinding();
        session.Dispose();
        Assert.False(session.Handle.IsInvalid);
        binding.ClearBoundInputs();
        binding.ClearBoundOutputs();
    }

    [Fact]
    public void Warm_Runs_Allocate_No_Managed_Memory()
    {
        using var session = new InferenceSession(TestModels.AddRelu(), new SessionOptions { IntraOpNumThreads = 1 });
        var y = new float[8];
        var s = new float[8];
        using var input = OrtValue.CreateTensor(Input, [2, 4]);
        using var output = OrtValue.CreateTensor(y, [2, 4]);
        using var sum = OrtValue.CreateTensor(s, [2, 4]);
        string[] inNames = ["X"], outNames = ["Y", "S"];
        OrtValue[] inValues = [input], outValues = [output, sum];
        using var binding = session.CreateIoBinding();
        binding.BindInput("X", input);
        binding.BindOutput("Y", output);
        binding.BindOutput("S", sum);
        using var runOptions = new RunOptions { Tag = "steady" };

        const int runs = 1000;
        for (var i = 0; i < 20; i++)
        {
            session.Run(inNames, inValues, outNames, outValues, runOptions);
            session.Run(binding, runOptions);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < runs; i++)
            session.Run(inNames, inValues, outNames, outValues, runOptions);
        var byName = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)runs;

        before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < runs; i++)
            session.Run(binding, runOptions);
        var bound = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)runs;

        Assert.True(byName < 64, $"Run with pre-allocated outputs allocated {byName:F1} bytes per run");
        Assert.True(bound < 64, $"Run with IoBinding allocated {bound:F1} bytes per run");
        Assert.Equal(ExpectedY, y);
    }

    [Fact]
    public void One_Session_Runs_From_Many_Threads_With_Single_Thread_Results()
    {
        using var session = new InferenceSession(TestModels.Classifier(), new SessionOptions { IntraOpNumThreads = 1 });
        const int cases = 64;
        var inputs = Enumerable.Range(0, cases).Select(c =>
            Enumerable.Range(0, 3 * 8).Select(i => MathF.Sin(c * 31 + i)).ToArray()).ToArray();

        float[] RunOne(float[] x)
        {
            using var value = OrtValue.CreateTensor(x, [3, 8]);
            using var results = session.Run(new Dictionary<string, OrtValue> { ["input"] = value });
            return results[0].ToArray<float>();
        }

        var sequential = inputs.Select(RunOne).ToArray();
        var parallel = new float[cases][];
        Parallel.For(0, cases * 4, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => parallel[i % cases] = RunOne(inputs[i % cases]));
        for (var c = 0; c < cases; c++)
            Assert.Equal(sequential[c], parallel[c]);
    }
}
