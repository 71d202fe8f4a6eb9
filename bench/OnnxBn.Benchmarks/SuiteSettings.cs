namespace OnnxBn.Benchmarks;

/// <summary>Command-line settings of the suite.</summary>
internal sealed record SuiteSettings(
    string OutputDirectory,
    string ModelsDirectory,
    string? ResNet50Path,
    string? DenseNet121Path,
    string? Onnxbn,
    bool Quick,
    IReadOnlySet<string> Sections)
{
    public static readonly string[] AllSections = ["fold", "inference", "preactivation", "overhead", "batch-curve", "fold-scaling", "fold-nodes"];

    /// <summary>Time per batch size in the inference rows (per pair of models).</summary>
    public TimeSpan InferenceDuration => Quick ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromSeconds(5);

    /// <summary>
    /// Rounds of the fold-cost comparison. Fifteen, not five: each round is well under a second, and with five the
    /// median still sat in the rounds where .NET recompiles the fold code from tier 0 to tier 1 (the first several
    /// rounds after the untimed one), so the interval of the ratio spanned 0.5-1.9 on a quiet machine.
    /// </summary>
    public int FoldRounds => Quick ? 1 : 15;

    /// <summary>Parameter counts (millions) of the generated fold-scaling family.</summary>
    public int[] FamilyMillions => Quick ? [1, 2] : [2, 5, 10, 20, 40, 70, 100];

    public bool Runs(string section) => Sections.Contains(section);

    public static SuiteSettings Parse(string[] args)
    {
        string output = "bench/results", models = "models";
        string? resnet = Environment.GetEnvironmentVariable("ONNXBN_RESNET50"), dll = null;
        string? densenet = Environment.GetEnvironmentVariable("ONNXBN_DENSENET121");
        var quick = false;
        var sections = new HashSet<string>(AllSections);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--out": output = Next(); break;
                case "--models": models = Next(); break;
                case "--resnet50": resnet = Next(); break;
                case "--densenet121": densenet = Next(); break;
                case "--onnxbn": dll = Next(); break; // the tool's apphost, or onnxbn.dll (run with dotnet)
                case "--quick": quick = true; break;
                case "--only":
                    sections = new HashSet<string>(Next().Split(','));
                    var unknown = sections.Except(AllSections).ToList();
                    if (unknown.Count > 0)
                        throw new ArgumentException($"Unknown sections {string.Join(", ", unknown)}; known: {string.Join(", ", AllSections)}.");
                    break;
                default: throw new ArgumentException($"Unknown argument {args[i]}.");
            }
        }
        return new SuiteSettings(Path.GetFullPath(output), Path.GetFullPath(models),
            resnet is null ? null : Path.GetFullPath(resnet), densenet is null ? null : Path.GetFullPath(densenet), dll is null ? null : Path.GetFullPath(dll), quick, sections);
    }
}
