using System.Security.Cryptography;
using OnnxBn.Folding.Onnx;
using OnnxBn.Folding.Rules;
using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.Safety.Fuzz;

/// <summary>How one case ended.</summary>
internal enum FuzzOutcome
{
    /// <summary>Loaded, summarized, folded, saved (two layouts) and the saved models loaded back.</summary>
    Saved,
    /// <summary>Refused with a documented typed error (OnnxModelException: exit 3; UnsupportedModelException: 6).</summary>
    Refused,
    /// <summary>Anything else: an undocumented exception, a hang, a changed input, a stray or leftover file.</summary>
    Failed,
}

/// <summary>
/// Runs one fuzz case through the Folding library as the CLI would (load, the inspect summary, fold, save) in a
/// folder of its own, and checks what must hold whatever the input: success or a typed error, no hang over
/// <see cref="Timeout"/>, input bytes unchanged, nothing written outside the output folder, no temporary left.
/// </summary>
internal static class FuzzRunner
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>Runs <paramref name="fuzz"/> under <paramref name="root"/> (a fresh folder) and returns its outcome and what went wrong.</summary>
    public static (FuzzOutcome Outcome, string Detail) Run(FuzzCase fuzz, string root)
    {
        string input = Directory.CreateDirectory(Path.Combine(root, "in")).FullName;
        string output = Directory.CreateDirectory(Path.Combine(root, "out")).FullName;
        string outside = Directory.CreateDirectory(Path.Combine(root, "outside")).FullName;
        File.WriteAllText(Path.Combine(outside, "secret"), "a private key");
        foreach (var (name, bytes) in fuzz.Files)
            File.WriteAllBytes(Path.Combine(input, name), bytes);
        foreach (var (name, kind, target) in fuzz.Specials)
        {
            string path = Path.Combine(input, name);
            if (kind == SpecialKind.Fifo) HostileFiles.MakeFifo(path);
            else if (kind == SpecialKind.Folder) Directory.CreateDirectory(path);
            else if (Directory.Exists(Path.Combine(root, target!))) Directory.CreateSymbolicLink(path, Path.Combine(root, target!));
            else File.CreateSymbolicLink(path, Path.Combine(root, target!));
        }
        var before = Snapshot(root, output);

        var work = Task.Factory.StartNew(() => Exercise(Path.Combine(input, "m.onnx"), output), TaskCreationOptions.LongRunning);
        if (!work.Wait(Timeout))
            return (FuzzOutcome.Failed, $"hung for more than {Timeout.TotalSeconds} s");
        var (outcome, detail) = work.Result;

        var after = Snapshot(root, output);
        foreach (var (path, hash) in before)
            if (!after.TryGetValue(path, out var now) || now != hash)
                return (FuzzOutcome.Failed, $"input changed: {path}");
        foreach (var path in after.Keys.Except(before.Keys))
            return (FuzzOutcome.Failed, $"wrote outside the output folder: {path}");
        var leftovers = Directory.EnumerateFileSystemEntries(output).Select(Path.GetFileName)
            .Where(n => n!.EndsWith(".tmp", StringComparison.Ordinal) || !n.StartsWith("folded", StringComparison.Ordinal)).ToList();
        if (leftovers.Count > 0)
            return (FuzzOutcome.Failed, $"left in the output folder: {string.Join(", ", leftovers)}");
        return (outcome, detail);
    }

    private static (FuzzOutcome, string) Exercise(string model, string output)
    {
        try
        {
            var loaded = OnnxModel.Load(model);
            Summarize(loaded);
            var report = FoldPass.Run(loaded);
            string kept = Path.Combine(output, "folded.onnx");
            loaded.Save(kept);
            string external = Path.Combine(output, "folded_ext.onnx");
            loaded.Save(external, new ModelSaveOptions { Layout = ExternalDataLayout.ExternalizeLarge, ExternalThresholdBytes = 64 });
            foreach (var saved in new[] { kept, external })
            {
                try
                {
                    OnnxModel.Load(saved);
                }
                catch (OnnxModelException ex)
                {
                    return (FuzzOutcome.Failed, $"a model we saved does not load: {ex.Message}");
                }
            }
            return (FuzzOutcome.Saved, $"{report.Folded} folded");
        }
        catch (OnnxModelException ex)
        {
            if (ex.Message.Contains('\n'))
                return (FuzzOutcome.Failed, $"error message spans lines: {ex.Message[..Math.Min(200, ex.Message.Length)]}");
            return (FuzzOutcome.Refused, ex.GetType().Name + ": " + ex.Message[..Math.Min(300, ex.Message.Length)]);
        }
        catch (Exception ex)
        {
            return (FuzzOutcome.Failed, ex.ToString());
        }
    }

    /// <summary>What <c>onnxbn inspect</c> reads: every node, declaration and initializer, the ranks, the parameter counts and a fold preview.</summary>
    private static void Summarize(OnnxModel model)
    {
        var graph = model.Graph;
        _ = (model.IrVersion, model.ProducerName, model.OpsetImports, model.Metadata);
        foreach (var v in graph.Inputs.Concat(graph.Outputs).Concat(graph.ValueInfos))
            _ = (v.Name, v.ElementType, v.Shape);
        var context = new FoldContext(model);
        foreach (var node in graph.Nodes)
            foreach (var output in node.Outputs)
                _ = context.Shapes.ShapeOf(output);
        ParameterCounter.Count(context);
        FoldPass.Run(model.Clone());
    }

    /// <summary>Hashes of the regular files under <paramref name="root"/> outside <paramref name="output"/> (links and FIFOs by kind).</summary>
    private static Dictionary<string, string> Snapshot(string root, string output)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var pending = new Stack<string>([root]);
        while (pending.TryPop(out var folder))
        {
            foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
            {
                if (entry.FullName == output) continue;
                string relative = Path.GetRelativePath(root, entry.FullName);
                if (entry.LinkTarget is { } target) result[relative] = "link:" + target;
                else if (entry is DirectoryInfo) pending.Push(entry.FullName);
                else result[relative] = Hash(entry.FullName);
            }
        }
        return result;
    }

    private static string Hash(string path)
    {
        try
        {
            using var handle = RegularFile.OpenRead(path);
            var bytes = new byte[RandomAccess.GetLength(handle)];
            RandomAccess.Read(handle, bytes, 0);
            return Convert.ToHexString(SHA256.HashData(bytes));
        }
        catch (IOException ex)
        {
            return "special:" + ex.Message;
        }
    }
}
