namespace OnnxBn.Folding.Onnx;

/// <summary>
/// The order in which a save puts its finished (fsynced) temporary files in place, chosen so that the folder holds
/// the old model with its data or the new model with its data at every instant, whatever moment a crash picks.
/// Data files go first, each to a name that does not exist yet (<see cref="DataFileNames"/>): the old model never
/// reads them, and nothing is overwritten. The folder is synced so those names survive a power loss, then the model
/// replaces its predecessor with one atomic rename (synced too). Only then are the data files the old model used
/// (superseded) removed. A crash before the model's rename leaves new data files no model names; the next save into
/// the folder treats them as superseded.
/// </summary>
internal static class SaveCommit
{
    public enum Action
    {
        /// <summary>Rename <see cref="Step.Temp"/> to <see cref="Step.Final"/>, which must not exist.</summary>
        PlaceData,
        /// <summary>Rename <see cref="Step.Temp"/> over <see cref="Step.Final"/> (the model, atomically replaced).</summary>
        ReplaceModel,
        /// <summary>Delete <see cref="Step.Final"/>, a data file only the replaced model used.</summary>
        RemoveSuperseded,
    }

    /// <summary>One step; <paramref name="SyncFolderAfter"/> makes the folder's names durable before the next one.</summary>
    public readonly record struct Step(Action Action, string? Temp, string Final, bool SyncFolderAfter);

    /// <summary>The steps for <paramref name="dataFiles"/> (temp → new name), the model, and the superseded files.</summary>
    public static IReadOnlyList<Step> Plan(IReadOnlyList<(string Temp, string Final)> dataFiles, string modelTemp, string target,
        IReadOnlyList<string> superseded)
    {
        var steps = new List<Step>();
        for (int i = 0; i < dataFiles.Count; i++)
            steps.Add(new Step(Action.PlaceData, dataFiles[i].Temp, dataFiles[i].Final, SyncFolderAfter: i == dataFiles.Count - 1));
        steps.Add(new Step(Action.ReplaceModel, modelTemp, target, SyncFolderAfter: true));
        steps.AddRange(superseded.Select(path => new Step(Action.RemoveSuperseded, null, path, false)));
        return steps;
    }

    /// <summary>Carries out one step.</summary>
    public static void Run(Step step, string directory)
    {
        switch (step.Action)
        {
            case Action.PlaceData:
                File.Move(step.Temp!, step.Final, overwrite: false);
                break;
            case Action.ReplaceModel:
                File.Move(step.Temp!, step.Final, overwrite: true);
                break;
            case Action.RemoveSuperseded:
                File.Delete(step.Final);
                break;
        }
        if (step.SyncFolderAfter)
            DirectorySync.Flush(directory);
    }
}
