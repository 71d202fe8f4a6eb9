using OnnxBn.Folding;
using OnnxBn.Runtime.Sessions;
using OnnxBn.Runtime.Verification;

namespace OnnxBn.Runtime.Tests.Documentation;

/// <summary>
/// The C# examples of README.md and docs/*.md that read the reader's own files, compiled here as written (never run:
/// "model.onnx" is the reader's model). <see cref="DocExampleTests"/> checks every block still matches.
/// </summary>
internal static class DocExamples
{
    // docs/patterns.md, "From C#"
    public static void FoldFromCSharp()
    {
        var model = OnnxModel.Load("model.onnx");
        FoldReport report = FoldPass.Run(model, new FoldOptions { LowerUnfolded = true });
        foreach (var fate in report.Fates)
            Console.WriteLine($"{fate.Node}: {fate.Description}");
        model.Save("model.folded.onnx");
    }

    // README.md, "Embedding in your app"
    public static void FoldVerifyAndOpen()
    {
        var original = OnnxModel.Load("model.onnx");
        var folded = original.Clone();
        FoldReport report = FoldPass.Run(folded);
        EquivalenceChecker.Compare(original, folded).AssertEquivalent();
        using var session = ModelSession.Open(folded);
    }

    // docs/runtime.md, "Several models in one process" (creating the environment with pools cannot run in a test
    // process whose environment already exists: GlobalThreadPoolsTests pins what happens then)
    public static void SeveralModelsInOneProcess()
    {
        OrtSetup.Initialize(threadPools: new GlobalThreadPools(IntraOpThreads: 0 /* one per core */));
        using var session = ModelSession.Open("model.onnx", new SessionSettings { UseGlobalThreadPools = true });
    }
}
