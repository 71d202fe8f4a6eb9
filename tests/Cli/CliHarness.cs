using System.Security.Cryptography;
using OnnxBn.TestUtilities;

namespace OnnxBn.Cli.Tests;

/// <summary>Runs onnxbn in-process and provides the small models and files the fold/inspect tests use.</summary>
internal static class CliHarness
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs as <see cref="Run"/> does, but as if stderr were a terminal (where progress is redrawn in place).</summary>
    public static (int Code, string Out, string Err) RunOnTerminal(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr, errorIsTerminal: true);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A fresh folder under the temp directory (left for the OS to clean: tests run in parallel).</summary>
    public static string NewFolder()
    {
        string path = Path.Combine(Path.GetTempPath(), "onnxbn-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
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

    /// <summary>The repository's example models (none on a checkout without models/).</summary>
    public static IEnumerable<string> RepoModels() => RepositoryPaths.ModelFiles();
}
