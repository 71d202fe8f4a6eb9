using Microsoft.ML.OnnxRuntime;
using OnnxBn.Runtime.Benchmarking;
using OnnxBn.Runtime.Loading;
using OnnxBn.Runtime.Sessions;
using OnnxBn.TestUtilities;

namespace OnnxBn.Runtime.Tests.Sessions;

/// <summary>
/// Every public disposable of OnnxBn.Runtime, used after or while it is disposed, throws
/// <see cref="ObjectDisposedException"/>: the official objects underneath crash the process when used after disposal.
/// </summary>
public sealed class DisposalTests
{
    [Fact]
    public void A_Disposed_Session_Refuses_Every_Use_And_Disposing_Twice_Is_Harmless()
    {
        var session = ModelSession.Open(TestModels.AddRelu());
        session.Dispose();
        session.Dispose();
        using var input = OrtValue.CreateTensorValueFromMemory(new float[8], [2, 4]);
        using var runOptions = new RunOptions();
        Assert.Throws<ObjectDisposedException>(() => session.Run(new Dictionary<string, OrtValue> { ["X"] = input }));
        Assert.Throws<ObjectDisposedException>(() => session.RunInto(["X"], [input], ["Y"], [input], runOptions));
        Assert.Throws<ObjectDisposedException>(() => session.CreateIoBinding());
        Assert.Throws<ObjectDisposedException>(() => session.Session);
        Assert.Equal(["X"], session.Inputs.Select(i => i.Name)); // metadata is managed and stays readable
    }

    [Fact]
    public void A_Disposed_Session_Refuses_A_Binding_Made_Before()
    {
        var session = ModelSession.Open(TestModels.AddRelu());
        using var binding = session.CreateIoBinding();
        using var runOptions = new RunOptions();
        session.Dispose();
        Assert.Throws<ObjectDisposedException>(() => session.RunWithBinding(binding, runOptions));
    }

    [Fact]
    public void A_Disposed_Binding_Or_Run_Options_Is_Refused_Not_Used()
    {
        using var session = ModelSession.Open(TestModels.AddRelu());
        var binding = session.CreateIoBinding();
        var runOptions = new RunOptions();
        binding.Dispose();
        Assert.Throws<ObjectDisposedException>(() => session.RunWithBinding(binding, runOptions));
        using var live = session.CreateIoBinding();
        runOptions.Dispose();
        Assert.Throws<ObjectDisposedException>(() => session.RunWithBinding(live, runOptions));
    }

    [Fact]
    public void A_Prepared_Run_Keeps_Its_Disposed_Session_Alive_Until_It_Is_Disposed_Itself()
    {
        // The prepared run's binding points into the native session: releasing the session under it would leave the
        // binding's own release (and any use) a native use after free.
        var session = ModelSession.Open(TestModels.AddRelu());
        var prepared = new PreparedRun(session, batch: 2, seed: 0);
        session.Dispose();
        Assert.Throws<ObjectDisposedException>(() => session.Session);
        Assert.Throws<ObjectDisposedException>(() => prepared.RunMilliseconds());
        Assert.Throws<ObjectDisposedException>(() => new PreparedRun(session, batch: 2, seed: 0));
        prepared.Dispose();
        prepared.Dispose();
    }

    [Fact]
    public void A_Disposed_Folded_Session_No_Longer_Hands_Out_Its_Official_Session()
    {
        var folded = FoldOnLoad.Open(OnnxBn.Folding.OnnxModel.FromBytes(TestModels.AddRelu()), new FoldOnLoadOptions { Verify = false });
        Assert.NotNull(folded.Session);
        folded.Dispose();
        folded.Dispose();
        Assert.Throws<ObjectDisposedException>(() => folded.Session);
        Assert.NotNull(folded.Fold); // the report is managed and stays readable
    }

    [Fact]
    public void A_Prepared_Run_Refuses_Runs_After_It_Or_Its_Session_Is_Disposed()
    {
        var session = ModelSession.Open(TestModels.AddRelu());
        var prepared = new PreparedRun(session, batch: 2, seed: 0);
        Assert.True(prepared.RunMilliseconds() >= 0);
        prepared.Dispose();
        prepared.Dispose();
        Assert.Throws<ObjectDisposedException>(() => prepared.RunMilliseconds());

        var second = new PreparedRun(session, batch: 2, seed: 0);
        session.Dispose();
        Assert.Throws<ObjectDisposedException>(() => second.RunMilliseconds());
        second.Dispose();
    }

    [Fact]
    public void Disposing_While_Threads_Run_Lets_Each_Run_Finish_Or_Refuse_Cleanly()
    {
        for (var trial = 0; trial < 20; trial++)
        {
            var session = ModelSession.Open(TestModels.AddRelu(), new SessionSettings { IntraOpThreads = 1 });
            var prepared = new PreparedRun(session, batch: 2, seed: trial);
            using var start = new Barrier(5);
            var outcomes = new int[4];
            Workers.Run(4, w =>
            {
                start.SignalAndWait();
                for (var i = 0; i < 200; i++)
                {
                    try
                    {
                        if (w % 2 == 0)
                            prepared.RunMilliseconds();
                        else
                            ModelSessionTests.RunY(session);
                    }
                    catch (ObjectDisposedException)
                    {
                        Interlocked.Increment(ref outcomes[w]);
                        return;
                    }
                }
            }, TimeSpan.FromMinutes(1), meanwhile: () =>
            {
                start.SignalAndWait();
                if (trial % 2 == 0)
                    prepared.Dispose();
                session.Dispose();
                prepared.Dispose();
            });
            Assert.Throws<ObjectDisposedException>(() => prepared.RunMilliseconds());
        }
    }
}
