using System.Security.Cryptography;
using OnnxBn.Folding;
using OnnxBn.TestUtilities;

namespace OnnxBn.Cli.Tests;

/// <summary>What one in-process run of onnxbn returned: the exit code and everything written to stdout and stderr.</summary>
internal readonly record struct CliResult(int Code, string Out, string Err);

/// <summary>
/// The one way the CLI tests run onnxbn: in-process, through <see cref="CliApp"/> exactly as the executable does,
/// with an interrupt or a fold pass injected where a test needs one (never through a flag or an environment
/// variable). Also the small models and files the fold/inspect tests use.
/// </summary>
internal static class CliHarness
{
    /// <summary>Runs <paramref name="args"/> as the executable would.</summary>
    public static CliResult Run(params string[] args) => Run(CliSeams.None, args);

    /// <summary>Runs <paramref name="args"/> with <paramref name="seams"/> (an interrupt token, a fold pass).</summary>
    public static CliResult Run(CliSeams seams, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr, seams);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>
    /// Runs <paramref name="args"/> and interrupts the command, as the first Ctrl-C would, as soon as it prints a
    /// line to stdout that contains <paramref name="stdoutText"/>.
    /// </summary>
    public static CliResult RunInterruptedAt(string stdoutText, params string[] args)
    {
        using var interrupt = new CancellationTokenSource();
        using var stdout = new CancelOnText(stdoutText, interrupt);
        using var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr, new CliSeams { Interrupt = interrupt.Token });
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs as <see cref="Run(string[])"/> does, but as if stderr were a terminal (where progress is redrawn in place).</summary>
    public static CliResult RunOnTerminal(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr, errorIsTerminal: true);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A fresh folder under the temp directory (left for the OS to clean: tests run in parallel).</summary>
    public static string NewFolder()
    {
        string path = Path.Combine(Path.GetTempPath(), "onnxbn-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>
    /// <paramref name="model"/> folded, then the weight of the node that writes <paramref name="tensor"/> moved by
    /// <paramref name="delta"/> at <paramref name="index"/> (the middle element when null), saved to a fresh folder:
    /// a fold gone wrong.
    /// </summary>
    public static string DamagedFold(string model, string tensor, double delta, int? index = null)
    {
        var folded = OnnxModel.Load(model);
        FoldPass.Run(folded);
        var node = folded.Graph.Producer(tensor)!;
        var weight = folded.Graph.Initializer(node.Input(1))!;
        var values = weight.ToDoubleArray();
        values[index ?? values.Length / 2] += delta;
        folded.Graph.SetInitializer(TensorData.FromDoubles(weight.Name, weight.ElementType, weight.DimsArray(), values));
        var path = Path.Combine(NewFolder(), "damaged.onnx");
        folded.Save(path);
        return path;
    }

    public static string Write(GraphBuilder builder, string name = "model.onnx")
    {
        string path = Path.Combine(NewFolder(), name);
        File.WriteAllBytes(path, builder.ToBytes());
        return path;
    }

    public static string Sha256(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>x:[N,2,3,3] → Conv(W, b) "conv" → BN "bn" → y: one BN that folds backward.</summary>
    public static GraphBuilder ConvBn() => new GraphBuilder()
        .Input("x", Folding.OnnxDataType.Float, "N", 2, 3, 3)
        .Output("y", Folding.OnnxDataType.Float, "N", 2, 3, 3)
        .Initializer("W", [2, 2, 1, 1], 1f, 2f, 3f, 4f)
        .Initializer("b", [2], 10f, 20f)
        .Initializer("gamma", [2], 2f, 3f)
        .Initializer("beta", [2], 1f, -1f)
        .Initializer("mean", [2], 5f, 6f)
        .Initializer("var", [2], 4f, 9f)
        .Node("Conv", ["x", "W", "b"], ["c"], "conv")
        .Node("BatchNormalization", ["c", "gamma", "beta", "mean", "var"], ["y"], "bn");

    /// <summary>x:[N,2] → BN "bn" → Gemm(W, C) "gemm" → y: a BN that only folds forward.</summary>
    public static GraphBuilder BnGemm() => new GraphBuilder()
        .Input("x", Folding.OnnxDataType.Float, "N", 2)
        .Output("y", Folding.OnnxDataType.Float, "N", 3)
        .Initializer("gamma", [2], 2f, 3f)
        .Initializer("beta", [2], 1f, -1f)
        .Initializer("mean", [2], 5f, 6f)
        .Initializer("var", [2], 4f, 9f)
        .Initializer("W", [2, 3], 1f, 2f, 3f, 4f, 5f, 6f)
        .Initializer("C", [3], 0.5f, 0.25f, 0f)
        .Node("BatchNormalization", ["x", "gamma", "beta", "mean", "var"], ["n"], "bn")
        .Node("Gemm", ["n", "W", "C"], ["y"], "gemm");

    /// <summary>x → BN "bn" → y: a BN with no linear neighbour, kept (or lowered on request).</summary>
    public static GraphBuilder LoneBn() => new GraphBuilder()
        .Input("x", Folding.OnnxDataType.Float, "N", 2)
        .Output("y", Folding.OnnxDataType.Float, "N", 2)
        .Initializer("gamma", [2], 2f, 3f)
        .Initializer("beta", [2], 1f, -1f)
        .Initializer("mean", [2], 5f, 6f)
        .Initializer("var", [2], 4f, 9f)
        .Node("BatchNormalization", ["x", "gamma", "beta", "mean", "var"], ["y"], "bn");

    /// <summary>
    /// x:[N,2,3,3], cond → If "gate": the then branch runs Conv(x, W) → BN "then_bn" (W from the main graph, the BN's
    /// 8 parameters the branch's own), the else branch Relu(x) → y.
    /// </summary>
    public static GraphBuilder IfWithBranchBn()
    {
        var then = new GraphBuilder()
            .Output("then_y", Folding.OnnxDataType.Float, "N", 2, 3, 3)
            .Initializer("gamma", [2], 2f, 3f)
            .Initializer("beta", [2], 1f, -1f)
            .Initializer("mean", [2], 5f, 6f)
            .Initializer("var", [2], 4f, 9f)
            .Node("Conv", ["x", "W"], ["c"], "then_conv")
            .Node("BatchNormalization", ["c", "gamma", "beta", "mean", "var"], ["then_y"], "then_bn");
        var otherwise = new GraphBuilder()
            .Output("else_y", Folding.OnnxDataType.Float, "N", 2, 3, 3)
            .Node("Relu", ["x"], ["else_y"], "else_relu");
        return new GraphBuilder()
            .Input("x", Folding.OnnxDataType.Float, "N", 2, 3, 3)
            .Input("cond", Folding.OnnxDataType.Bool)
            .Output("y", Folding.OnnxDataType.Float, "N", 2, 3, 3)
            .Initializer("W", [2, 2, 1, 1], 1f, 2f, 3f, 4f)
            .If("cond", ["y"], then, otherwise, "gate");
    }

    /// <summary>The repository's example models (throws on a checkout without them).</summary>
    public static IEnumerable<string> RepoModels() => RepositoryPaths.ModelFiles();

    /// <summary>A stdout that cancels <paramref name="source"/> once a line containing <paramref name="text"/> is written.</summary>
    private sealed class CancelOnText(string text, CancellationTokenSource source) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.Contains(text, StringComparison.Ordinal) == true)
                source.Cancel();
        }
    }
}
