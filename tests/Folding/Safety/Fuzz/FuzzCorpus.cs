using Google.Protobuf;
using OnnxBn.Folding.Onnx.Proto;
using OnnxBn.TestUtilities;
using OnnxBn.TestUtilities.Random;

namespace OnnxBn.Folding.Tests.Safety.Fuzz;

/// <summary>
/// Makes fuzz cases from the bundled models in models/: case i of a seed is always the same bytes, so a failure's
/// (seed, index) is its reproduction. About half the cases mutate the structure (one to three
/// <see cref="StructureMutator"/> edits), a third the bytes (<see cref="ByteMutator"/>), the rest both.
/// </summary>
internal sealed class FuzzCorpus
{
    private readonly List<(string Name, byte[] Bytes)> _models;

    public FuzzCorpus()
    {
        _models = RepositoryPaths.ModelFiles().Select(p => (Path.GetFileName(p), File.ReadAllBytes(p))).ToList();
    }

    public FuzzCase Make(int seed, int index)
    {
        // Not HashCode.Combine: it is seeded per process, and a case must be the same bytes in every run.
        var random = new SeededRandom((int)(((long)seed * 1_000_003 + index) & int.MaxValue));
        var (name, original) = _models[random.Int(0, _models.Count - 1)];
        var recipe = new List<string> { name };
        var fuzz = new FuzzCase(index, "");
        byte[] bytes = original;
        int mode = random.Int(0, 5);
        if (mode <= 3)
        {
            var model = ModelProto.Parser.ParseFrom(bytes);
            int edits = random.Int(1, 3);
            for (int i = 0; i < edits; i++)
                StructureMutator.Apply(model, fuzz, random, recipe);
            bytes = model.ToByteArray();
        }
        if (mode >= 3)
            bytes = ByteMutator.Apply(bytes, random, recipe);
        fuzz.Model = bytes;
        if (fuzz.Files.TryGetValue("w.bin", out var data) && random.Chance(0.15))
        {
            fuzz.Files["w.bin"] = data[..random.Int(0, data.Length)];
            recipe.Add("w.bin truncated");
        }
        fuzz.Recipe = $"seed {seed} case {index}: {string.Join("; ", recipe)}";
        return fuzz;
    }
}
