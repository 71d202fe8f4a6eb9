using Microsoft.ML.OnnxRuntime;
using OnnxBn.Folding;
using OnnxBn.Runtime.Inputs;
using OnnxBn.Runtime.Loading;
using OnnxBn.Runtime.Sessions;
using OnnxBn.Runtime.Verification;

// The examples spell out the types a reader of the docs needs to see (FoldReport), so the house rule "var where the
// type is incidental" (IDE0007) does not hold here.
#pragma warning disable IDE0007

namespace OnnxBn.Runtime.Tests.Documentation;

/// <summary>
/// The C# examples of README.md and docs/*.md, compiled here as written; those that read "model.onnx" (the reader's
/// model) are never run. <see cref="DocExampleTests"/> checks every block still matches.
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

    // README.md, "Embedding in your app": the whole program, its top-level statements as Main's body (args included);
    // PackageConsumerTests compiles the README's copy against the packages, DocExampleTests runs this one.
    public static int EmbeddingProgram(string[] args)
    {
        try
        {
            using var folded = FoldOnLoad.Open(args[0]);
            Console.WriteLine($"{folded.Fold.Folded} BatchNormalization folded, {folded.Fold.Kept} kept; " +
                              $"equivalent on {folded.Verification!.Inputs}");

            var session = folded.Session;
            var (name, metadata) = session.InputMetadata.First();
            long[] shape = metadata.Dimensions.Select(d => d < 0 ? 1L : d).ToArray(); // symbolic dimensions as 1
            var random = new Random(42);
            var data = new float[shape.Aggregate(1L, (a, b) => a * b)];
            for (var i = 0; i < data.Length; i++)
                data[i] = random.NextSingle();

            using var input = OrtValue.CreateTensorValueFromMemory(data, shape);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, [name], [input], [session.OutputNames[0]]);
            Console.WriteLine($"output shape: [{string.Join(",", outputs[0].GetTensorTypeAndShape().Shape)}]");
            return 0;
        }
        catch (FoldVerificationException e)
        {
            Console.Error.WriteLine(e.Message); // the output, the worst element and both values
            return 1;
        }
    }

    // docs/runtime.md, "Fold on load"
    public static void FoldOnLoadWithEveryOption()
    {
        using var sessionOptions = new SessionOptions { IntraOpNumThreads = 1 };
        var options = new FoldOnLoadOptions
        {
            Fold = new FoldOptions { LowerUnfolded = true },
            Verification = new EquivalenceOptions
            {
                Inputs = new RandomInputSource(samples: 32, seed: 7),
                Tolerance = new Tolerance(Atol: 1e-4, Rtol: 1e-3),
            },
            SessionOptions = sessionOptions,
        };
        using var stream = File.OpenRead("model.onnx");
        using var folded = FoldOnLoad.Open(stream, options with { BaseDirectory = "." }, source: "model.onnx");
        Console.WriteLine(folded.Fold.ToJson());
    }

    // docs/runtime.md, "Several models in one process" (creating the environment with pools cannot run in a test
    // process whose environment already exists: GlobalThreadPoolsTests pins what happens then)
    public static void SeveralModelsInOneProcess()
    {
        OrtSetup.Initialize(threadPools: new GlobalThreadPools(IntraOpThreads: 0 /* one per core */));
        using var session = ModelSession.Open("model.onnx", new SessionSettings { UseGlobalThreadPools = true });
    }
}
