using Microsoft.ML.OnnxRuntime;
using OnnxBn.Benchmarks;
using OnnxBn.Runtime.Benchmarking;
using OnnxBn.Runtime.Sessions;

// The performance suite: every measurement behind bench/README.md in one run (see bench/run.sh).
if (args is ["--ort-optimize", var input, var output])
    return OrtOfflineOptimizer.Run(input, output);

SuiteSettings settings;
try
{
    settings = SuiteSettings.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    Console.Error.WriteLine("usage: OnnxBn.Benchmarks [--out DIR] [--models DIR] [--resnet50 FILE] [--densenet121 FILE] [--onnxbn onnxbn|onnxbn.dll] [--quick] [--only fold,inference,preactivation,overhead,batch-curve,fold-scaling,fold-nodes]");
    return 2;
}

OrtSetup.Initialize(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, BenchmarkThreading.PoolsFor(Suite.InferenceThreads));
Directory.CreateDirectory(settings.OutputDirectory);
var suite = new Suite(settings, Console.Error);
var results = suite.Run();
File.WriteAllText(Path.Combine(settings.OutputDirectory, "results.json"), results.ToJson() + "\n");
var table = SuiteTable.Markdown(results);
File.WriteAllText(Path.Combine(settings.OutputDirectory, "table.md"), table);
Console.Out.Write(table);
Console.Error.WriteLine($"wrote {settings.OutputDirectory}/results.json, table.md and the SVG charts");
return 0;
