using System.Diagnostics;
using System.Globalization;
using OnnxBn.Benchmarks.Training;
using OnnxBn.Training;

// Prints one line per workload: name, examples/s (median of the repeats), seconds per repeat, final loss.
// Usage: TrainingThroughput [repeats] [workload ...]
var repeats = args.Length > 0 && int.TryParse(args[0], out var r) ? r : 3;
var only = args.Skip(1).ToHashSet(StringComparer.Ordinal);
foreach (var workload in Workload.All.Where(w => only.Count == 0 || only.Contains(w.Name)))
{
    var data = workload.Data();
    var rates = new List<double>();
    double loss = 0;
    // One untimed warm-up epoch lets the JIT reach its optimized code, as PyTorch's first iteration loads its kernels.
    Trainer.Fit(workload.Network(), data, null, workload.Options with { Epochs = 1 });
    for (var i = 0; i < repeats; i++)
    {
        var network = workload.Network();
        var clock = Stopwatch.StartNew();
        var history = Trainer.Fit(network, data, null, workload.Options);
        var seconds = clock.Elapsed.TotalSeconds;
        rates.Add((double)workload.Examples * workload.Options.Epochs / seconds);
        loss = history.Epochs[^1].Loss;
    }
    rates.Sort();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{workload.Name}\t{rates[rates.Count / 2]:0}\t{string.Join(",", rates.Select(x => x.ToString("0", CultureInfo.InvariantCulture)))}\t{loss:0.0000}"));
}
