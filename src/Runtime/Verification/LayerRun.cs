using Microsoft.ML.OnnxRuntime;
using OnnxBn.Folding;
using OnnxBn.Runtime.Inputs;
using OnnxBn.Runtime.Sessions;

namespace OnnxBn.Runtime.Verification;

/// <summary>
/// The layer pass of <see cref="EquivalenceChecker"/>: both models with every shared intermediate declared as an
/// output, run on the same inputs with graph optimizations disabled; statistics are gathered per tensor as the runs
/// stream by, so memory holds one run's tensors at a time.
/// </summary>
internal static partial class LayerRun
{
    public static LayerReport Compare(ModelSource original, ModelSource candidate, EquivalenceOptions options, IInputSource source)
    {
        var total = System.Diagnostics.Stopwatch.StartNew();
        var originalModel = original.Load();
        var candidateModel = candidate.Load();
        var notes = new List<string>
        {
            "layer run: ONNX Runtime graph optimizations disabled, so no intermediate tensor is fused away",
        };
        var (foldReport, foldSource) = FoldReportFor(originalModel, candidateModel.Graph, options, notes);
        var folds = new FoldAttribution(foldReport, originalModel.Graph, candidateModel.Graph);
        var plan = LayerMatching.Plan(originalModel.Graph, candidateModel.Graph, folds);
        var originalProbe = LayerProbe.Expose(originalModel, plan.Pairs.Select(p => p.Tensor));
        var candidateProbe = LayerProbe.Expose(candidateModel, plan.Pairs.Select(p => p.CandidateTensor));
        var layerOptions = options with { OptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var originalSession = ModelSource.FromModel(originalProbe, original.Label)
            .Open(EquivalenceChecker.SettingsFor(layerOptions, options.ReferenceDevice ?? options.Device), "original");
        using var candidateSession = ModelSource.FromModel(candidateProbe, candidate.Label)
            .Open(EquivalenceChecker.SettingsFor(layerOptions, options.Device), "candidate");

        var pairs = LayerProbe.ComparedPairs(plan.Pairs, originalSession, candidateSession);
        var problems = new List<string>();
        var inputNames = Matching.Inputs(originalSession, candidateSession, problems);
        var accumulators = pairs.Select(p => new OutputAccumulator(p.Tensor, p.CandidateTensor, OutputMatch.Name,
            ToleranceOf(p, options), options.NanEqual, options.Check, "tensor")).ToArray();
        var reference = options.Float64Reference ? pairs.Select(_ => new ReferenceTracker()).ToArray() : null;
        var inputMax = new Dictionary<string, double>(StringComparer.Ordinal);
        var runs = 0;
        var prepareTime = total.Elapsed;
        var referenceTime = TimeSpan.Zero;
        if (problems.Count == 0)
        {
            var signatures = originalSession.Inputs.Where(i => i.IsTensor).Select(InputSignature.From).ToArray();
            foreach (var feed in source.Feeds(signatures))
            {
                var values = RunAndCompare(feed, originalSession, candidateSession, inputNames, pairs, accumulators);
                foreach (var tensor in feed.Tensors)
                    inputMax[inputNames.GetValueOrDefault(tensor.Name, tensor.Name)] =
                        Math.Max(inputMax.GetValueOrDefault(inputNames.GetValueOrDefault(tensor.Name, tensor.Name)), MaxAbs(tensor.ToDoubleArray()));
                var referenceStart = total.Elapsed;
                if (reference is not null && !Reference(feed, originalModel, candidateModel, inputNames, pairs, values, reference, notes))
                    reference = null;
                referenceTime += total.Elapsed - referenceStart;
                runs++;
                options.Progress?.Report(new VerificationProgress(runs, feed.Completed, feed.Label, VerificationProgress.LayersStage));
            }
        }
        else
        {
            notes.AddRange(problems.Select(p => "layer run not made: " + p));
        }

        var layers = pairs.Select((p, i) => new LayerComparison
        {
            Index = i,
            Tensor = p.Tensor,
            CandidateTensor = p.CandidateTensor,
            MatchedBy = p.Match,
            OriginalNode = p.OriginalNode.DisplayName,
            OriginalOp = p.OriginalNode.OpType,
            CandidateNode = p.CandidateNode.DisplayName,
            CandidateOp = p.CandidateNode.OpType,
            Folds = p.Folds,
            Comparison = accumulators[i].Finish(null),
            Reference = reference?[i].Result(),
        }).ToList();
        return new LayerReport
        {
            Layers = WithRoundingChecks(layers, pairs, WithConstantInitializers(originalModel), WithConstantInitializers(candidateModel), inputMax, notes),
            Unmatched = plan.Unmatched,
            FoldSource = foldSource,
            Runs = runs,
            ReferenceEvaluated = reference is not null && runs > 0,
            Notes = notes,
            Elapsed = total.Elapsed,
            PrepareTime = prepareTime,
            ReferenceTime = referenceTime,
        };
    }

    /// <summary>
    /// A float tensor's tolerance is the outputs'; an integer or boolean one must match exactly unless the caller gave
    /// it a tolerance by name. A fold changes no integer arithmetic: a different index or mask is a decision that float
    /// rounding flipped upstream (TopK or NonMaxSuppression on a near-tie), often the cause of a failed output, and
    /// an index differing by one is as different as one differing by a thousand.
    /// </summary>
    private static Tolerance ToleranceOf(LayerPair pair, EquivalenceOptions options) =>
        LayerTypes.IsFloat(pair.ElementType) || options.OutputTolerances.ContainsKey(pair.Tensor) || options.OutputTolerances.ContainsKey(pair.CandidateTensor)
            ? options.ToleranceFor(pair.Tensor, pair.CandidateTensor, pair.ElementType)
            : new Tolerance(0, 0);

    /// <summary>
    /// The fold report given, else the one of a fold of a copy of the original, keeping only the fates the candidate
    /// bears out: a BN (or the Mul of a Mul+Add) still present in the candidate (same name, same op) was not folded there.
    /// </summary>
    private static (FoldReport? Report, string Source) FoldReportFor(OnnxModel original, Graph candidate, EquivalenceOptions options,
        List<string> notes)
    {
        if (options.Folds is { } given)
            return (given, "the fold report that made the candidate");
        try
        {
            var report = FoldPass.Run(original.Clone());
            var present = candidate.Nodes.Select(n => (n.Name.Length > 0 ? n.Name : n.Output(0), n.OpType)).ToHashSet();
            // A fate's kind is "BatchNormalization" or an affine pattern such as "Mul+Add", named after its first node.
            var fates = report.Fates.Where(f => !present.Contains((f.Node, f.Kind.Split('+')[0]))).ToList();
            return (report with { Fates = fates }, "a fold of a copy of the original with the default options");
        }
        catch (OnnxModelException ex)
        {
            notes.Add($"no fold attribution: folding a copy of the original failed: {ex.Message}");
            return (null, "none");
        }
    }

    /// <summary>One run of both probes; returns each pair's values as float64 (null where a pair was not compared).</summary>
    private static (double[] Original, double[] Candidate)?[] RunAndCompare(InputFeed feed, ModelSession originalSession, ModelSession candidateSession,
        IReadOnlyDictionary<string, string> inputNames, IReadOnlyList<LayerPair> pairs, OutputAccumulator[] accumulators)
    {
        using var inputs = new PairedFeed(feed, inputNames);
        var result = new (double[], double[])?[pairs.Count];
        if (pairs.Count == 0)
            return result;
        using var originalOutputs = originalSession.Run(inputs.Original, pairs.Select(p => p.Tensor).ToArray());
        using var candidateOutputs = candidateSession.Run(inputs.Candidate, pairs.Select(p => p.CandidateTensor).ToArray());
        for (var i = 0; i < pairs.Count; i++)
            result[i] = EquivalenceChecker.Compare(feed.Label, accumulators[i], originalOutputs[i], candidateOutputs[i]);
        return result;
    }

    private static double MaxAbs(double[] values)
    {
        double max = 0;
        foreach (var v in values)
            if (double.IsFinite(v))
                max = Math.Max(max, Math.Abs(v));
        return max;
    }
}
