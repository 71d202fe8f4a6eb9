using System.Reflection;
using Microsoft.ML.OnnxRuntime;
using OnnxBn.Folding;
using OnnxBn.Runtime.Sessions;
using OnnxBn.Training;

namespace OnnxBn.Runtime.Tests;

/// <summary>
/// An app that imports both Microsoft.ML.OnnxRuntime and our namespaces must never need an alias: no public type of
/// ours may share a simple name with a public type of the official runtime.
/// </summary>
public class PublicTypeNameTests
{
    [Fact]
    public void NoPublicTypeOfOursSharesANameWithAnOnnxRuntimeType()
    {
        var official = typeof(InferenceSession).Assembly.GetExportedTypes().Select(t => t.Name).ToHashSet();
        Assembly[] ours = [typeof(OnnxModel).Assembly, typeof(ModelSession).Assembly, typeof(TransferLearning).Assembly];

        var clashes = ours.SelectMany(a => a.GetExportedTypes())
            .Where(t => official.Contains(t.Name))
            .Select(t => t.FullName)
            .ToList();

        Assert.True(official.Count > 50, "the official assembly's public types were not read");
        Assert.Empty(clashes);
    }
}
