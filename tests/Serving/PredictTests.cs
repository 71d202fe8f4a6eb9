using System.Net;
using System.Text.Json;
using OnnxBn.TestUtilities;

namespace OnnxBn.Serving.Tests;

[Collection(ServingCollection.Name)]
public sealed class PredictTests
{
    private static string SmallCnn => Path.Combine(RepositoryPaths.Models, "small_cnn_bn.onnx");

    [Fact]
    public async Task Nested_Json_Answers_Exactly_What_The_Session_Gives()
    {
        await using var host = await ServingHost.StartAsync(SmallCnn, o => o.Watch = false);
        var image = Wire.Image(1);
        using var response = await host.Client.PostAsync("/predict", Wire.NestedJson(image, Wire.ImageShape));
        Wire.AssertSameBits(Wire.DirectRun(host.Holder.Current!, image, Wire.ImageShape), await Wire.JsonOutputAsync(response), "nested JSON");
        Assert.Equal("1", response.Headers.GetValues("X-Model-Generation").Single());
    }

    [Fact]
    public async Task Flat_Json_And_Binary_Answer_The_Same_Bits_As_Nested_Json()
    {
        await using var host = await ServingHost.StartAsync(SmallCnn, o => o.Watch = false);
        var image = Wire.Image(2);
        var expected = Wire.DirectRun(host.Holder.Current!, image, Wire.ImageShape);

        using var flat = await host.Client.PostAsync("/predict", Wire.FlatJson(image, Wire.ImageShape));
        Wire.AssertSameBits(expected, await Wire.JsonOutputAsync(flat), "flat JSON");
        using var binary = await host.Client.PostAsync("/predict", Wire.Binary(image, Wire.ImageShape));
        Assert.Equal("application/x-onnxbn-tensor", binary.Content.Headers.ContentType?.MediaType);
        Assert.Equal("1,10", binary.Headers.GetValues("X-Tensor-Shape").Single());
        Assert.Equal("float32", binary.Headers.GetValues("X-Tensor-Type").Single());
        Wire.AssertSameBits(expected, await Wire.BinaryOutputAsync(binary), "binary");
    }

    [Fact]
    public async Task A_Batch_Of_Rows_In_One_Request_Answers_Every_Row()
    {
        await using var host = await ServingHost.StartAsync(SmallCnn, o => o.Watch = false);
        var rows = Enumerable.Range(10, 3).Select(Wire.Image).ToArray();
        long[] shape = [3, 1, 28, 28];
        using var response = await host.Client.PostAsync("/predict", Wire.FlatJson(rows.SelectMany(r => r).ToArray(), shape));
        var answer = await Wire.JsonOutputAsync(response);
        Assert.Equal(30, answer.Length);
        Wire.AssertSameBits(Wire.DirectRun(host.Holder.Current!, rows.SelectMany(r => r).ToArray(), shape), answer, "3 rows");
    }

    [Fact]
    public async Task Health_Ready_And_Model_Describe_The_Served_Model()
    {
        await using var host = await ServingHost.StartAsync(SmallCnn, o => o.Watch = false);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/healthz")).StatusCode);
        using var ready = JsonDocument.Parse(await host.Client.GetStringAsync("/readyz"));
        Assert.Equal("ready", ready.RootElement.GetProperty("status").GetString());
        using var model = JsonDocument.Parse(await host.Client.GetStringAsync("/model"));
        Assert.Equal("3 folded, 0 kept", model.RootElement.GetProperty("fold").GetString());
        Assert.Equal("[N,1,28,28]", model.RootElement.GetProperty("inputs")[0].GetProperty("shape").GetString());
    }

    [Fact]
    public async Task Metrics_Count_Requests_By_Status_And_Record_Batch_Sizes()
    {
        await using var host = await ServingHost.StartAsync(SmallCnn, o => o.Watch = false);
        (await host.Client.PostAsync("/predict", Wire.Binary(Wire.Image(3), Wire.ImageShape))).EnsureSuccessStatusCode();
        await host.Client.PostAsync("/predict", Wire.Json("{}"));
        var metrics = await host.Client.GetStringAsync("/metrics");
        Assert.Contains("onnxbn_serving_requests_total{otel_scope_name=\"OnnxBn.Serving\",status=\"200\"} 1", metrics);
        Assert.Contains("onnxbn_serving_requests_total{otel_scope_name=\"OnnxBn.Serving\",status=\"400\"} 1", metrics);
        Assert.Contains("onnxbn_serving_batch_rows_count{otel_scope_name=\"OnnxBn.Serving\"} 1", metrics);
        Assert.Contains("onnxbn_serving_request_duration_seconds_bucket", metrics);
        Assert.Contains("onnxbn_serving_model_generation{otel_scope_name=\"OnnxBn.Serving\"} 1", metrics);
    }
}
