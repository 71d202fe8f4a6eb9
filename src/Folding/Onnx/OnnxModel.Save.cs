using OnnxBn.Folding.Onnx;

namespace OnnxBn.Folding;

public sealed partial class OnnxModel
{
    /// <summary>
    /// Saves the model (and its external data files) atomically and durably: everything is written to temporary
    /// files in the target folder, fsynced, and put in place in the order <see cref="SaveCommit"/> explains, so the
    /// folder holds the old or the new model at every instant. External data files are named after the output model
    /// (<see cref="DataFileNames"/>), never after the input's locations, so nothing is written outside the output's
    /// folder. Refuses to overwrite the file the model was loaded from unless asked to, and never overwrites a file
    /// the model was read with. A failed write throws <see cref="ModelWriteException"/> and leaves nothing behind;
    /// stale temporaries of killed saves in the folder are removed.
    /// </summary>
    public void Save(string path, ModelSaveOptions? options = null)
    {
        options ??= new ModelSaveOptions();
        string target = Path.GetFullPath(path);
        bool overwritesSource = SourcePath is not null && string.Equals(target, SourcePath, StringComparison.Ordinal);
        if (overwritesSource && !options.OverwriteSource)
            throw new IOException($"{target}: refusing to overwrite the model's own source file (choose another output path)");
        var names = DataFileNames.For(target, options);
        using var save = Stage(target, options, names, overwritesSource);
        save.Commit();
    }

    /// <summary>
    /// Writes every file of a save to its temporary name and plans the renames, without carrying them out; disposing
    /// the result before <see cref="StagedSave.Commit"/> removes what it wrote. (Tests run the steps one by one to
    /// show that a crash between any two leaves a loadable model.)
    /// </summary>
    internal StagedSave Stage(string target, ModelSaveOptions options, DataFileNames names, bool overwritesSource)
    {
        string directory = Path.GetDirectoryName(target)!;
        var staged = new StagedSave(target, directory);
        try
        {
            WriteFailure.Guard(target, () =>
            {
                Directory.CreateDirectory(directory);
                if (Directory.Exists(target))
                    throw new IOException("a folder has that name");
                TempFiles.RemoveStale(directory);
                // Files the model was read from are inputs: no new file takes their name, and none is removed as
                // superseded (unless the save replaces the source model itself, on request).
                var inputs = overwritesSource ? new HashSet<string>(StringComparer.Ordinal) : ExternalFilesRead;
                var plan = ExternalDataPlan.Create(this, options, names, ExternalFilesRead);
                var data = new List<(string Temp, string Final)>();
                foreach (var file in plan.Files)
                {
                    string final = Path.Combine(directory, file.Location);
                    string temp = staged.Reserve(final);
                    file.WriteTo(temp);
                    data.Add((temp, final));
                }
                var spliced = SplicedModel.Create(this, plan.EncodeExternal);
                if (spliced.Length > int.MaxValue)
                    throw new OnnxModelException(target, "the model is larger than 2 GiB inline; save with ExternalDataLayout.ExternalizeLarge");
                string modelTemp = staged.Reserve(target);
                using (var stream = DurableFileStream.CreateNew(modelTemp))
                {
                    using (var writer = new PayloadWriter(stream))
                    {
                        spliced.WriteTo(writer);
                        writer.Flush();
                    }
                    stream.Commit();
                }
                var written = data.Select(d => d.Final).ToHashSet(StringComparer.Ordinal);
                var superseded = names.Existing(keep: written).Where(f => !inputs.Contains(f)).ToList();
                staged.Steps = SaveCommit.Plan(data, modelTemp, target, superseded);
            });
            return staged;
        }
        catch
        {
            staged.Dispose();
            throw;
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
}
