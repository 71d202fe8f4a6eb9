using OnnxBn.Folding;

namespace OnnxBn.Runtime.Verification;

/// <summary>
/// Gathers the metrics of one output over every run: the elementwise tolerance check, error statistics, the worst
/// element (largest error relative to what the tolerance allows), cosine similarity, and for classifier outputs
/// ([N,C], C ≥ 2) top-1 agreement and top-5 overlap per row.
/// </summary>
internal sealed class OutputAccumulator(string name, string? candidateName, OutputMatch match, Tolerance tolerance, bool nanEqual,
    ErrorCheck? check = null, string subject = "output")
{
    private readonly ErrorCheck _check = check ?? ErrorCheck.Elementwise;
    private readonly QuantileSketch? _absSketch = check?.NeedsSketch == true ? new() : null;
    private readonly QuantileSketch? _relSketch = check?.NeedsSketch == true ? new() : null;
    private long _nonFiniteOriginal, _nonFiniteCandidate, _finiteRel;
    private double _sumRel, _maxAbsOriginal;
    private const int TopK = 5;

    private readonly ErrorHistogram _histogram = new();
    private long _elements, _violations, _nanMismatches, _finiteDiffs;
    private double _maxAbs, _maxRel, _sumAbs, _dot, _normOriginal, _normCandidate;
    private double _worstRatio = -1;
    private ElementDifference? _worst;
    private long _rows, _top1Agree;
    private double _top5Overlap;
    private bool _classifier = true;
    private OutputVerdict _structural = OutputVerdict.Pass;
    private string? _problem;
    private OnnxDataType _elementType;
    private long[]? _shape;

    public string Name => name;

    public bool HasStructuralFailure => _structural != OutputVerdict.Pass;

    /// <summary>Records a defect that stops this output from being compared (missing, shape or type mismatch).</summary>
    public void Fail(OutputVerdict verdict, string problem)
    {
        if (HasStructuralFailure)
            return;
        _structural = verdict;
        _problem = problem;
    }

    /// <summary>Compares one run's values (row-major, same <paramref name="shape"/> on both sides).</summary>
    public void Add(string run, OnnxDataType elementType, long[] shape, ReadOnlySpan<double> original, ReadOnlySpan<double> candidate)
    {
        _elementType = elementType;
        _shape ??= shape;
        for (var i = 0; i < original.Length; i++)
            AddElement(run, shape, i, original[i], candidate[i]);
        _elements += original.Length;
        if (shape.Length == 2 && shape[1] >= 2)
            AddRows(original, candidate, (int)shape[0], (int)shape[1]);
        else
            _classifier = false;
    }

    private void AddElement(string run, long[] shape, int index, double b, double a)
    {
        if (!double.IsFinite(b)) _nonFiniteOriginal++;
        else _maxAbsOriginal = Math.Max(_maxAbsOriginal, Math.Abs(b));
        if (!double.IsFinite(a)) _nonFiniteCandidate++;
        double diff;
        bool ok;
        if (double.IsNaN(a) || double.IsNaN(b))
        {
            ok = nanEqual && double.IsNaN(a) && double.IsNaN(b);
            diff = ok ? 0 : double.NaN;
        }
        else if (a == b)
        {
            (diff, ok) = (0, true); // also equal infinities
        }
        else if (double.IsInfinity(a) || double.IsInfinity(b))
        {
            (diff, ok) = (double.PositiveInfinity, false); // rtol·|inf| must not excuse an infinite error
        }
        else
        {
            diff = Math.Abs(a - b);
            ok = diff <= tolerance.Allowed(b);
        }

        _histogram.Add(diff);
        if (!ok)
            _violations++;
        if (double.IsNaN(diff))
            _nanMismatches++;
        else
        {
            _finiteDiffs++;
            _sumAbs += diff;
            _maxAbs = Math.Max(_maxAbs, diff);
            var rel = diff == 0 ? 0 : b == 0 ? double.PositiveInfinity : diff / Math.Abs(b);
            _maxRel = Math.Max(_maxRel, rel);
            if (double.IsFinite(rel))
            {
                _sumRel += rel;
                _finiteRel++;
            }
            _absSketch?.Add(diff);
            _relSketch?.Add(rel);
        }
        _dot += a * b;
        _normOriginal += b * b;
        _normCandidate += a * a;

        var allowed = tolerance.Allowed(b);
        var ratio = ok ? (allowed > 0 ? diff / allowed : 0) : allowed > 0 && double.IsFinite(diff) ? diff / allowed : double.PositiveInfinity;
        // With atol = rtol = 0 every difference has an infinite ratio: the larger difference is then the worse one.
        if (ratio > _worstRatio || (ratio == _worstRatio && double.IsPositiveInfinity(ratio) && diff > _worst!.AbsError))
        {
            _worstRatio = ratio;
            _worst = new ElementDifference(run, Unflatten(index, shape), b, a, diff, allowed);
        }
    }

    private void AddRows(ReadOnlySpan<double> original, ReadOnlySpan<double> candidate, int rows, int classes)
    {
        var k = Math.Min(TopK, classes);
        Span<int> topOriginal = stackalloc int[k];
        Span<int> topCandidate = stackalloc int[k];
        for (var r = 0; r < rows; r++)
        {
            TopIndices(original.Slice(r * classes, classes), topOriginal);
            TopIndices(candidate.Slice(r * classes, classes), topCandidate);
            if (topOriginal[0] == topCandidate[0])
                _top1Agree++;
            var common = 0;
            foreach (var c in topCandidate)
                if (topOriginal.Contains(c))
                    common++;
            _top5Overlap += (double)common / k;
        }
        _rows += rows;
    }

    /// <summary>The indices of the largest values, best first; ties go to the lower index, NaN ranks lowest.</summary>
    internal static void TopIndices(ReadOnlySpan<double> row, Span<int> top)
    {
        for (var slot = 0; slot < top.Length; slot++)
        {
            var best = -1;
            for (var c = 0; c < row.Length; c++)
            {
                if (top[..slot].Contains(c))
                    continue;
                if (best < 0 || row[c] > row[best] || (double.IsNaN(row[best]) && !double.IsNaN(row[c])))
                    best = c;
            }
            top[slot] = best;
        }
    }

    internal static long[] Unflatten(long flat, long[] shape)
    {
        var index = new long[shape.Length];
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            if (shape[d] == 0)
                continue;
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }

    /// <summary>The finished comparison; <paramref name="minTop1"/> adds the top-1 requirement to the verdict.</summary>
    public OutputComparison Finish(double? minTop1)
    {
        var compared = !HasStructuralFailure && _elements > 0;
        double? top1 = compared && _classifier && _rows > 0 ? (double)_top1Agree / _rows : null;
        double? top5 = compared && _classifier && _rows > 0 ? _top5Overlap / _rows : null;
        var verdict = _structural;
        var (statisticAbs, statisticRel) = Statistic();
        var exceeded = _check.Statistic == ErrorStatistic.Elementwise
            ? _violations > 0
            : _nanMismatches > 0 || !(statisticAbs <= tolerance.Atol || statisticRel <= tolerance.Rtol);
        if (verdict == OutputVerdict.Pass && _check.Validate && _nonFiniteOriginal + _nonFiniteCandidate > 0)
            verdict = OutputVerdict.NonFinite;
        if (verdict == OutputVerdict.Pass && exceeded)
            verdict = OutputVerdict.ToleranceExceeded;
        if (verdict == OutputVerdict.Pass && minTop1 is { } min && top1 is { } agreement && agreement < min)
            verdict = OutputVerdict.Top1BelowMinimum;
        var cosine = _normOriginal == 0 && _normCandidate == 0 ? 1
            : _normOriginal == 0 || _normCandidate == 0 ? 0
            : _dot / (Math.Sqrt(_normOriginal) * Math.Sqrt(_normCandidate));
        return new OutputComparison
        {
            Name = name,
            CandidateName = candidateName,
            MatchedBy = match,
            Verdict = verdict,
            Problem = _problem,
            ElementType = _elementType,
            Shape = _shape ?? [],
            Tolerance = tolerance,
            Elements = _elements,
            Violations = _violations,
            NanMismatches = _nanMismatches,
            MaxAbsError = _nanMismatches > 0 ? double.NaN : _maxAbs,
            MaxRelError = _nanMismatches > 0 ? double.NaN : _maxRel,
            MeanAbsError = _finiteDiffs > 0 ? _sumAbs / _finiteDiffs : 0,
            CosineSimilarity = cosine,
            Worst = compared ? _worst : null,
            Rows = compared && _classifier ? _rows : 0,
            Top1Agreement = top1,
            Top5Overlap = top5,
            MinTop1 = minTop1,
            Histogram = _histogram,
            MeanRelError = _finiteRel > 0 ? _sumRel / _finiteRel : 0,
            Check = _check,
            StatisticAbsError = statisticAbs,
            StatisticRelError = statisticRel,
            NonFiniteOriginal = _nonFiniteOriginal,
            NonFiniteCandidate = _nonFiniteCandidate,
            MaxAbsOriginal = _maxAbsOriginal,
            Subject = subject,
        };
    }

    /// <summary>The checked statistic over the absolute and the relative errors (NaN when an element was NaN on one side).</summary>
    private (double Abs, double Rel) Statistic()
    {
        if (_nanMismatches > 0)
            return (double.NaN, double.NaN);
        return _check.Statistic switch
        {
            ErrorStatistic.Elementwise or ErrorStatistic.Max => (_maxAbs, _maxRel),
            ErrorStatistic.Mean => (_finiteDiffs > 0 ? _sumAbs / _finiteDiffs : 0,
                _finiteRel < _finiteDiffs ? double.PositiveInfinity : _finiteRel > 0 ? _sumRel / _finiteRel : 0),
            ErrorStatistic.Median => (_absSketch!.Quantile(0.5), _relSketch!.Quantile(0.5)),
            _ => (_absSketch!.Quantile(_check.Quantile), _relSketch!.Quantile(_check.Quantile)),
        };
    }
}
