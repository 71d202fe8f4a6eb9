namespace OnnxBn.Folding.Onnx;

/// <summary>
/// A save whose files are written under temporary names and whose renames are planned (<see cref="Steps"/>). Every
/// temporary is registered before its first byte is written, and every data file put in place is remembered until
/// the model's rename: disposing without a completed <see cref="Commit"/> removes both, on every path.
/// </summary>
internal sealed class StagedSave(string target, string directory) : IDisposable
{
    private readonly List<string> _temps = [];
    private readonly List<string> _placed = [];
    private int _next;
    private bool _modelReplaced;

    public IReadOnlyList<SaveCommit.Step> Steps { get; set; } = [];

    /// <summary>A temporary name for <paramref name="final"/>, removed on dispose unless renamed into place.</summary>
    public string Reserve(string final)
    {
        string temp = TempFiles.Reserve(final);
        _temps.Add(temp);
        return temp;
    }

    /// <summary>Carries out the remaining steps; removing a superseded file is best effort (the save has succeeded).</summary>
    public void Commit()
    {
        while (RunNext()) { }
    }

    /// <summary>Carries out the next step (false when none is left).</summary>
    public bool RunNext()
    {
        if (_next >= Steps.Count)
            return false;
        var step = Steps[_next++];
        if (step.Action == SaveCommit.Action.RemoveSuperseded)
        {
            try { SaveCommit.Run(step, directory); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
            return true;
        }
        WriteFailure.Guard(target, () => SaveCommit.Run(step, directory));
        TempFiles.Release(step.Temp!);
        _temps.Remove(step.Temp!);
        if (step.Action == SaveCommit.Action.PlaceData)
            _placed.Add(step.Final);
        else
            _modelReplaced = true;
        return true;
    }

    /// <summary>Stops as a killed process would: nothing is removed, the temporaries become stale.</summary>
    public void Abandon()
    {
        foreach (string temp in _temps)
            TempFiles.Release(temp);
        _temps.Clear();
        _placed.Clear();
    }

    public void Dispose()
    {
        foreach (string temp in _temps)
            TempFiles.Remove(temp);
        _temps.Clear();
        // Data files in place but named by no model (the model's rename never happened) are litter.
        if (!_modelReplaced)
            foreach (string placed in _placed)
                TempFiles.TryDelete(placed);
        _placed.Clear();
    }
}
