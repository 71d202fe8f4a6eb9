using OnnxBn.Folding;
using OnnxBn.Runtime.Inputs;
using OnnxBn.Runtime.Verification;

namespace OnnxBn.Runtime.Tests.Verification;

/// <summary>The example test of docs/verify.md, compiled and run as written (keep them in sync).</summary>
public sealed class ReadmeExampleTests
{
    private static readonly string Models = Path.Combine(VerificationModels.RepoRoot(), "models");

    // --- docs/verify.md example begins ---
    [Fact]
    public void Folded_model_computes_what_the_trained_model_computes()
    {
        var original = OnnxModel.Load(Path.Combine(Models, "small_cnn_bn.onnx"));
        var folded = original.Clone();
        FoldPass.Run(folded);
        var options = new EquivalenceOptions { Inputs = new FashionMnistSource(limit: 256), MinTop1 = 1.0 };
        EquivalenceChecker.Compare(original, folded, options).AssertEquivalent();
    }
    // --- docs/verify.md example ends ---

    [Fact]
    public void Docs_Contain_The_Example_Verbatim()
    {
        var source = File.ReadAllText(Path.Combine(VerificationModels.RepoRoot(), "tests", "Runtime", "Verification", "ReadmeExampleTests.cs"));
        var start = source.IndexOf("    [Fact]\n    public void Folded_model", StringComparison.Ordinal);
        var end = source.IndexOf("    // --- docs/verify.md example ends", StringComparison.Ordinal);
        var example = string.Join("\n", source[start..end].TrimEnd().Split('\n').Select(l => l.Length >= 4 ? l[4..] : l));
        Assert.Contains(example, File.ReadAllText(Path.Combine(VerificationModels.RepoRoot(), "docs", "verify.md")).ReplaceLineEndings("\n"));
    }
}
