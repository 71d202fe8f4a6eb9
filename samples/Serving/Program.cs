using OnnxBn.Serving;

// onnxbn-serving --model models/resnet_mini.onnx [--port 8080] [--watch true]   (docs/serving.md)
// Exit codes: 0 stopped cleanly, 2 bad settings, 3 the model at start cannot be served.
WebApplication app;
try
{
    app = ServingApp.Build(args);
}
catch (ServingConfigurationException ex)
{
    await Console.Error.WriteLineAsync($"onnxbn-serving: {ex.Message}");
    return 2;
}
await using (app)
{
    await app.StartAsync();
    Console.WriteLine(ServingApp.BoundAddress(app).ToString().TrimEnd('/'));
    await app.WaitForShutdownAsync();
}
return Environment.ExitCode;
