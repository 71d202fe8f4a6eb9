using System.Diagnostics.Metrics;

namespace OnnxBn.Serving;

/// <summary>
/// The service's instruments, on the Meter "OnnxBn.Serving" (exported at /metrics in Prometheus text format, and
/// visible to any MeterListener or <c>dotnet-counters monitor --counters OnnxBn.Serving</c>).
/// </summary>
public sealed class ServingMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "OnnxBn.Serving";

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Histogram<long> _batchRows;
    private readonly Counter<long> _reloads;

    /// <summary>Creates the instruments through the host's meter factory.</summary>
    public ServingMetrics(IMeterFactory meterFactory, Func<long> generation)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("onnxbn.serving.requests", "{request}",
            "Prediction requests answered, by status code.");
        _duration = meter.CreateHistogram<double>("onnxbn.serving.request.duration", "s",
            "Time from reading a prediction request to its answer being ready.",
            advice: new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
            });
        _batchRows = meter.CreateHistogram<long>("onnxbn.serving.batch.rows", "{row}",
            "Rows (first-dimension entries) in each model run: the batch size clients sent.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
        _reloads = meter.CreateCounter<long>("onnxbn.serving.reloads", "{reload}",
            "Reload attempts of the watched model, by outcome (applied or rejected).");
        meter.CreateObservableGauge("onnxbn.serving.model.generation", generation, "{generation}",
            "The live model's generation: 1 at start, one more per applied reload, 0 when none is loaded.");
    }

    /// <summary>Counts one answered request and its duration.</summary>
    public void Request(int statusCode, TimeSpan duration)
    {
        _requests.Add(1, new KeyValuePair<string, object?>("status", statusCode));
        _duration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("status", statusCode));
    }

    /// <summary>Records one model run of <paramref name="rows"/> rows.</summary>
    public void Batch(long rows) => _batchRows.Record(rows);

    /// <summary>Counts one reload attempt.</summary>
    public void Reload(bool applied) =>
        _reloads.Add(1, new KeyValuePair<string, object?>("outcome", applied ? "applied" : "rejected"));
}
