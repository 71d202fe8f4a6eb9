using OnnxBn.Folding.Onnx;
using OnnxBn.Folding.Onnx.Proto;

namespace OnnxBn.Folding;

public sealed partial class OnnxModel
{
    /// <summary>
    /// Saves the model (and its external data files) atomically and durably: everything is written to temporary
    /// files in the target folder, fsynced, and renamed into place only when complete (in the order
    /// <see cref="SaveCommit"/> explains). Refuses to overwrite the file the model was loaded
    /// from, and never overwrites an external data file the model was read with, unless asked to.
    /// </summary>
    public void Save(string path, ModelSaveOptions? options = null)
    {
        options ??= new ModelSaveOptions();
        string target = Path.GetFullPath(path);
        bool overwritesSource = SourcePath is not null && string.Equals(target, SourcePath, StringComparison.Ordinal);
        if (overwritesSource && !options.OverwriteSource)
            throw new IOException($"{target}: refusing to overwrite the model's own source file (choose another output path)");
        string directory = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(directory);

        var plan = ExternalDataPlan.Create(this, target, options, protectedFiles: overwritesSource ? new HashSet<string>() : ExternalFilesRead);
        // Checked before anything is written: the model file is renamed into place last, so a folder squatting on its
        // name would otherwise be found only after the data files had already replaced their predecessors.
        foreach (string final in plan.Files.Select(f => Path.Combine(directory, f.Location)).Append(target))
            if (Directory.Exists(final))
                throw new IOException($"{final}: is a directory; cannot save a model file there");
        var staged = new List<(string Temp, string Final)>();
        try
        {
            foreach (var file in plan.Files)
                staged.Add((file.WriteTemp(directory), Path.Combine(directory, file.Location)));
            var spliced = SplicedModel.Create(this, plan.EncodeExternal);
            if (spliced.Length > int.MaxValue)
                throw new OnnxModelException(target, "the model is larger than 2 GiB inline; save with ExternalDataLayout.ExternalizeLarge");
            string modelTemp = TempNameFor(target);
            using (var stream = DurableFileStream.CreateNew(modelTemp))
            {
                using (var writer = new PayloadWriter(stream))
                {
                    spliced.WriteTo(writer);
                    writer.Flush();
                }
                stream.Commit();
            }
            var steps = SaveCommit.Plan(staged, modelTemp, target, System.IO.File.Exists);
            staged.Add((modelTemp, target));
            SaveCommit.Run(steps, directory);
            staged.Clear();
        }
        finally
        {
            foreach (var (temp, _) in staged)
                TryDelete(temp);
        }
    }

    /// <summary>Writes the model with every tensor inline to <paramref name="stream"/>.</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new PayloadWriter(stream);
        SplicedModel.Create(this).WriteTo(writer);
        writer.Flush();
    }

    internal static string TempNameFor(string finalPath) =>
        Path.Combine(Path.GetDirectoryName(finalPath)!, $".{Path.GetFileName(finalPath)}.{Guid.NewGuid():N}.tmp");

    private static void TryDelete(string path)
    {
        try { System.IO.File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
