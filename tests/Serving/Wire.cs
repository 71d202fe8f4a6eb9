using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using OnnxBn.Serving.Models;

namespace OnnxBn.Serving.Tests;

/// <summary>Builds requests in both wire formats, reads answers, and runs the same input directly on a session.</summary>
internal static class Wire
{
    public static readonly long[] ImageShape = [1, 1, 28, 28];

    /// <summary>A seeded image in [0, 1).</summary>
    public static float[] Image(int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, 28 * 28).Select(_ => (float)random.NextDouble()).ToArray();
    }

    /// <summary><c>{"inputs": {"input": [[[[...]]]]}}</c>: nested arrays.</summary>
    public static HttpContent NestedJson(float[] data, long[] shape, string name = "input")
    {
        var text = new StringBuilder("{\"inputs\":{\"").Append(name).Append("\":");
        var at = 0;
        Nest(text, data, shape, 0, ref at);
        return Json(text.Append("}}").ToString());
    }

    /// <summary><c>{"inputs": {"input": {"shape": [...], "data": [...]}}}</c>: flat data.</summary>
    public static HttpContent FlatJson(float[] data, long[] shape, string name = "input") =>
        Json(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["inputs"] = new Dictionary<string, object> { [name] = new { shape, data } },
        }));

    public static HttpContent Json(string text) => new StringContent(text, Encoding.UTF8, "application/json");

    /// <summary>A JSON body as raw bytes, which may be what no string can hold (invalid UTF-8).</summary>
    public static HttpContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    /// <summary>The binary format: raw little-endian floats, shape in a header.</summary>
    public static HttpContent Binary(float[] data, long[] shape)
    {
        var content = new ByteArrayContent(MemoryMarshal.AsBytes(data.AsSpan()).ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-onnxbn-tensor");
        content.Headers.Add("X-Tensor-Shape", string.Join(",", shape));
        return content;
    }

    /// <summary>The float data of output <paramref name="name"/> in a JSON answer.</summary>
    public static async Task<float[]> JsonOutputAsync(HttpResponseMessage response, string name = "output")
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("outputs").GetProperty(name).GetProperty("data")
            .EnumerateArray().Select(e => e.GetSingle()).ToArray();
    }

    /// <summary>The floats of a binary answer.</summary>
    public static async Task<float[]> BinaryOutputAsync(HttpResponseMessage response)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {Encoding.UTF8.GetString(bytes)}");
        return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }

    /// <summary>The model's first output for <paramref name="data"/>, run straight on the served session.</summary>
    public static float[] DirectRun(ServedModel model, float[] data, long[] shape)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(data, shape);
        using var runOptions = new RunOptions();
        using var outputs = model.Session.Run(runOptions, new Dictionary<string, OrtValue> { ["input"] = input }, model.Session.OutputNames);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>Asserts bit-for-bit equality, naming the first differing element.</summary>
    public static void AssertSameBits(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: element {i} is {actual[i].ToString("R", CultureInfo.InvariantCulture)}, " +
                            $"the direct run gave {expected[i].ToString("R", CultureInfo.InvariantCulture)}");
        }
    }

    private static void Nest(StringBuilder text, float[] data, long[] shape, int depth, ref int at)
    {
        if (depth == shape.Length)
        {
            text.Append(data[at++].ToString("R", CultureInfo.InvariantCulture));
            return;
        }
        text.Append('[');
        for (var i = 0; i < shape[depth]; i++)
        {
            if (i > 0)
                text.Append(',');
            Nest(text, data, shape, depth + 1, ref at);
        }
        text.Append(']');
    }
}
