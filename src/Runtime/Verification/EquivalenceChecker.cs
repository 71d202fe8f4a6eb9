using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using OnnxBn.Folding;
using OnnxBn.Runtime.Data;
using OnnxBn.Runtime.Inputs;
using OnnxBn.Runtime.Sessions;

namespace OnnxBn.Runtime.Verification;

/// <summary>
/// Runs two models through ONNX Runtime on the same inputs and compares every output (by name, else by position),
/// returning an <see cref="EquivalenceReport"/>. Usable from any test:
/// <c>EquivalenceChecker.Compare("model.onnx", "folded.onnx").AssertEquivalent();</c>
/// </summary>
/// <remarks>
/// A missing output or a shape mismatch is a failure in the report, never an exception. Exceptions are kept for what
/// prevents a comparison: a model ONNX Runtime cannot load (<see cref="ModelLoadException"/>), data that does not fit
/// the model (<see cref="InputMismatchException"/>), an unavailable device, or an ONNX Runtime error during a run.
/// </remarks>
public static class EquivalenceChecker
{
    /// <summary>Compares two model files.</summary>
    public static EquivalenceReport Compare(string original, string candidate, EquivalenceOptions? options = null) =>
        Compare(ModelSource.FromFile(original), ModelSource.FromFile(candidate), options);

    /// <summary>Compares two in-memory models (for example a model and its folded copy).</summary>
    public static EquivalenceReport Compare(OnnxModel original, OnnxModel candidate, EquivalenceOptions? options = null) =>
        Compare(ModelSource.FromModel(original, original.SourcePath ?? "original"),
            ModelSource.FromModel(candidate, "candidate"), options);

    /// <summary>Compares two serialized models.</summary>
    public static EquivalenceReport Compare(byte[] original, byte[] candidate, EquivalenceOptions? options = null) =>
        Compare(ModelSource.FromBytes(original, "original"), ModelSource.FromBytes(candidate, "candidate"), options);

    /// <summary>Compares one model on two devices: <paramref name="reference"/> as the original, <paramref name="device"/> as the candidate.</summary>
    public static EquivalenceReport CompareDevices(string model, Device reference, Device device,
        EquivalenceOptions? options = null) =>
        Compare(ModelSource.FromFile(model), ModelSource.FromFile(model),
            (options ?? new EquivalenceOptions()) with { ReferenceDevice = reference, Device = device });

    /// <summary>Compares two models from any source.</summary>
    public static EquivalenceReport Compare(ModelSource original, ModelSource candidate, EquivalenceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(candidate);
        options ??= new EquivalenceOptions();
        var source = options.Inputs ?? new RandomInputSource();
        var total = Stopwatch.StartNew();
        using var originalSession = original.Open(SettingsFor(options, options.ReferenceDevice ?? options.Device), "original");
        using var candidateSession = candidate.Open(SettingsFor(options, options.Device), "candidate");
        var loadTime = total.Elapsed;

        var problems = new List<string>();
        var notes = new List<string>();
        // Both sessions usually fall back for the one reason: say it once.
        foreach (var fallback in new[] { ("original", originalSession), ("candidate", candidateSession) }
                     .Where(s => s.Item2.FallbackReason is not null).GroupBy(s => s.Item2.FallbackReason!))
            notes.Add($"{string.Join(" and ", fallback.Select(s => s.Item1))}: {fallback.Key}");
        var inputNames = Matching.Inputs(originalSession, candidateSession, problems);
        var pairs = Matching.Outputs(originalSession, candidateSession, notes);
        var accumulators = pairs.Select(p => Accumulator(p, options)).ToArray();

        var runs = 0;
        var runTime = TimeSpan.Zero;
        if (problems.Count == 0)
        {
            var signatures = originalSession.Inputs.Where(i => i.IsTensor).Select(InputSignature.From).ToArray();
            foreach (var feed in source.Feeds(signatures))
            {
                runTime += RunAndCompare(feed, originalSession, candidateSession, inputNames, pairs, accumulators);
                runs++;
                options.Progress?.Report(new VerificationProgress(runs, feed.Completed, feed.Label));
            }
        }
        var layers = (options.CompareLayers || options.Float64Reference) && problems.Count == 0
            ? LayerRun.Compare(original, candidate, options, source)
            : null;
        if (options.MinTop1 is not null && accumulators.Length > 0 && pairs.All(p => !IsClassifier(p.Original)))
            notes.Add("a minimum top-1 agreement was asked for, but no output is a classifier's [N,C] scores: top-1 not checked.");

        return new EquivalenceReport
        {
            Original = original.Label,
            Candidate = candidate.Label,
            OriginalDevice = originalSession.Device,
            CandidateDevice = candidateSession.Device,
            OptimizationLevel = options.OptimizationLevel,
            Inputs = source.Description,
            Runs = runs,
            Outputs = accumulators.Select(a => a.Finish(options.MinTop1)).ToArray(),
            Problems = problems,
            Notes = notes,
            Elapsed = total.Elapsed,
            LoadTime = loadTime,
            RunTime = runTime,
            Layers = layers,
        };
    }

    private static TimeSpan RunAndCompare(InputFeed feed, ModelSession originalSession, ModelSession candidateSession,
        IReadOnlyDictionary<string, string> inputNames, IReadOnlyList<Matching.OutputPair> pairs, OutputAccumulator[] accumulators)
    {
        using var inputs = new PairedFeed(feed, inputNames);
        var compared = pairs.Where(p => p.Candidate is not null).ToArray();
        var clock = Stopwatch.StartNew();
        using var originalOutputs = originalSession.Run(inputs.Original, pairs.Select(p => p.Original.Name).ToArray());
        var candidateNames = compared.Select(p => p.Candidate!.Name).ToArray();
        using var candidateOutputs = candidateSession.Run(inputs.Candidate, candidateNames);
        var inRun = clock.Elapsed;
        for (var i = 0; i < pairs.Count; i++)
        {
            if (pairs[i].Candidate is { } c)
                Compare(feed.Label, accumulators[i], originalOutputs[i], candidateOutputs[Array.IndexOf(candidateNames, c.Name)]);
        }
        return inRun;
    }

    internal static OrtValue ToOrtValue(TensorData tensor)
    {
        try
        {
            return Data.TensorDataInterop.ToOrtValue(tensor);
        }
        catch (NotSupportedException ex)
        {
            throw new InputMismatchException(ex.Message);
        }
    }

    /// <summary>Compares one run's pair of values into <paramref name="accumulator"/>; returns both as float64 when they were compared.</summary>
    internal static (double[] Original, double[] Candidate)? Compare(string run, OutputAccumulator accumulator, OrtValue original, OrtValue candidate)
    {
        if (accumulator.HasStructuralFailure)
            return null;
        if (!original.IsTensor || !candidate.IsTensor || original.ElementType() != candidate.ElementType() ||
            !OutputReader.IsComparable(original.ElementType()))
        {
            accumulator.Fail(OutputVerdict.TypeMismatch,
                $"element types differ or cannot be compared: original {original.Describe()}, candidate {candidate.Describe()}");
            return null;
        }
        long[] originalShape = original.Shape(), candidateShape = candidate.Shape();
        if (!originalShape.SequenceEqual(candidateShape))
        {
            accumulator.Fail(OutputVerdict.ShapeMismatch,
                $"shapes differ in run '{run}': original {TensorDataInterop.FormatShape(originalShape)}, " +
                $"candidate {TensorDataInterop.FormatShape(candidateShape)}");
            return null;
        }
        var values = (OutputReader.ToDoubles(original), OutputReader.ToDoubles(candidate));
        accumulator.Add(run, original.ElementType(), originalShape, values.Item1, values.Item2);
        return values;
    }

    private static OutputAccumulator Accumulator(Matching.OutputPair pair, EquivalenceOptions options)
    {
        var type = pair.Original.ElementType;
        var accumulator = new OutputAccumulator(pair.Original.Name, pair.Candidate?.Name, pair.Match,
            options.ToleranceFor(pair.Original.Name, pair.Candidate?.Name, type), options.NanEqual, options.Check);
        if (pair.Candidate is null)
            accumulator.Fail(OutputVerdict.Missing, "the candidate has no such output" +
                " (outputs are matched by name, or by position when the candidate renamed them)");
        return accumulator;
    }

    private static bool IsClassifier(SessionPort output) => output.Shape.Count == 2 && output.Shape[1] is -1 or >= 2;

    // Between runs the checker compares outputs and prepares the next batch; spinning ORT worker threads would
    // compete with that work for the same cores.
    internal static SessionSettings SettingsFor(EquivalenceOptions options, Device device) => new()
    {
        OptimizationLevel = options.OptimizationLevel,
        Device = device,
        IntraOpThreads = options.IntraOpThreads,
        AllowSpinning = false,
    };
}
