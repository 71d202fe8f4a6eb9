namespace OnnxBn.Folding.Tests.ModelIO;

/// <summary>Loads a bad model and pins the error: typed, one line, naming the file and the defect, cheap.</summary>
internal static class BadInputAssert
{
    /// <summary>No bad input may make the loader allocate more than this (the files here are a few KB).</summary>
    private const long AllocationBudget = 16L << 20;

    public static OnnxModelException LoadFails(string path, params string[] defectWords)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.ThrowsAny<OnnxModelException>(() => OnnxModel.Load(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(Path.GetFullPath(path), Path.GetFullPath(error.FilePath!));
        Assert.StartsWith(error.FilePath!, error.Message);
        Assert.DoesNotContain('\n', error.Message);
        foreach (var word in defectWords)
            Assert.Contains(word, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.True(allocated < AllocationBudget, $"loading allocated {allocated} bytes: {error.Message}");
        return error;
    }
}
