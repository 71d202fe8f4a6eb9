namespace OnnxBn.Folding.Onnx;

/// <summary>
/// The order in which a save puts its finished temporary files in place. Each rename is atomic, but a model with
/// external data is several files, and no order of plain renames keeps the pair consistent across a crash: data
/// renamed first leaves the old model reading the new data's offsets; model first, the new model reading the old
/// data. So when a save replaces an existing data file while an old model sits at the target, the old model is
/// removed (and that removal made durable) before any data file moves: a crash in between leaves no model, never a
/// model with the wrong weights. Data files go next, the model last, then the folder is synced.
/// </summary>
internal static class SaveCommit
{
    /// <summary>One step: remove <paramref name="Final"/> (when <paramref name="Temp"/> is null) or rename Temp over it.</summary>
    public readonly record struct Step(string? Temp, string Final, bool SyncFolderAfter);

    /// <summary>
    /// The steps for <paramref name="dataFiles"/> (temp → final) and the model (<paramref name="modelTemp"/> →
    /// <paramref name="target"/>); <paramref name="exists"/> tells which final names are taken now.
    /// </summary>
    public static IReadOnlyList<Step> Plan(IReadOnlyList<(string Temp, string Final)> dataFiles, string modelTemp, string target, Func<string, bool> exists)
    {
        var steps = new List<Step>();
        if (dataFiles.Any(f => exists(f.Final)) && exists(target))
            steps.Add(new Step(null, target, SyncFolderAfter: true));
        steps.AddRange(dataFiles.Select(f => new Step(f.Temp, f.Final, false)));
        steps.Add(new Step(modelTemp, target, SyncFolderAfter: true));
        return steps;
    }

    /// <summary>Carries the steps out in order.</summary>
    public static void Run(IEnumerable<Step> steps, string directory)
    {
        foreach (var step in steps)
        {
            if (step.Temp is null)
                System.IO.File.Delete(step.Final);
            else
                System.IO.File.Move(step.Temp, step.Final, overwrite: true);
            if (step.SyncFolderAfter)
                DirectorySync.Flush(directory);
        }
    }
}
