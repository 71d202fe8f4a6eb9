using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OnnxBn.TestUtilities;

namespace OnnxBn.Serving.Tests;

/// <summary>Every kind of bad request gets 400 with a one-line reason, never 500, and the service keeps answering.</summary>
[Collection(ServingCollection.Name)]
public sealed class BadRequestTests : IAsyncLifetime
{
    private const long MaxBodyBytes = 64 * 1024;
    private ServingHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await ServingHost.StartAsync(Path.Combine(RepositoryPaths.Models, "small_cnn_bn.onnx"), o =>
        {
            o.Watch = false;
            o.MaxBodyBytes = MaxBodyBytes;
            o.MaxElements = 10_000;
        });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public static TheoryData<string, string, string> JsonCases => new()
    {
        { "malformed JSON", "{\"inputs\": {\"input\": [1, 2", "malformed JSON" },
        { "not an object", "[1, 2, 3]", "\"inputs\" object" },
        { "no inputs", "{\"data\": []}", "\"inputs\" object" },
        { "unknown input", "{\"inputs\": {\"x\": [1]}}", "unknown input 'x'" },
        { "input name as a path", "{\"inputs\": {\"../../../etc/passwd\": [1]}}", "unknown input '../../../etc/passwd'" },
        { "missing input", "{\"inputs\": {}}", "input 'input' is missing" },
        { "wrong rank", "{\"inputs\": {\"input\": [[1, 2], [3, 4]]}}", "rank 4" },
        { "wrong fixed dimension", Flat([1, 1, 27, 28]), "[N,1,28,28]" },
        { "string element", "{\"inputs\": {\"input\": [[[[\"a\"]]]]}}", "a string is not a number" },
        { "null element", "{\"inputs\": {\"input\": [[[[null]]]]}}", "null is not a number" },
        { "float out of range", "{\"inputs\": {\"input\": [[[[1e300]]]]}}", "is not a number within" },
        { "ragged arrays", "{\"inputs\": {\"input\": [[[[1, 2], [3]]]]}}", "ragged" },
        { "data shorter than shape", "{\"inputs\": {\"input\": {\"shape\": [1, 1, 28, 28], \"data\": [1, 2]}}}", "needs 784" },
        { "negative dimension", "{\"inputs\": {\"input\": {\"shape\": [-1, 1, 28, 28], \"data\": []}}}", "non-negative integer" },
        { "wrong declared type", "{\"inputs\": {\"input\": {\"shape\": [1], \"data\": [1], \"type\": \"int64\"}}}", "\"type\" must be \"float32\"" },
        { "empty dimension", "{\"inputs\": {\"input\": {\"shape\": [0, 1, 28, 28], \"data\": []}}}", "empty dimension 0" },
        { "too many elements", "{\"inputs\": {\"input\": {\"shape\": [1000000, 1, 28, 28], \"data\": []}}}", "more elements than the request limit" },
        { "overflowing shape", "{\"inputs\": {\"input\": {\"shape\": [4611686018427387904, 4, 28, 28], \"data\": []}}}", "more elements than the request limit" },
        { "input given twice", "{\"inputs\": {\"input\": [1], \"input\": [2]}}", "given twice" },
        { "lone surrogate in a name", "{\"inputs\": {\"\\ud800\": [1]}}", "not valid text" },
        { "lone surrogate as a value", "{\"inputs\": {\"input\": [[[[\"\\ud800\"]]]]}}", "not valid text" },
        { "lone surrogate as the type", "{\"inputs\": {\"input\": {\"shape\": [1], \"data\": [1], \"type\": \"\\udc00\"}}}", "not valid text" },
    };

    /// <summary>Bodies whose strings hold bytes that are not UTF-8 (0xFF 0xFE), where a name, a value and a type go.</summary>
    public static TheoryData<string, string> InvalidUtf8Cases => new()
    {
        { "input name", "{\"inputs\": {\"@@\": [1]}}" },
        { "element string", "{\"inputs\": {\"input\": [[[[\"@@\"]]]]}}" },
        { "declared type", "{\"inputs\": {\"input\": {\"shape\": [1], \"data\": [1], \"type\": \"@@\"}}}" },
    };

    [Theory]
    [MemberData(nameof(InvalidUtf8Cases))]
    public async Task Json_String_Of_Invalid_Utf8_Gets_400(string where, string template)
    {
        var body = Encoding.ASCII.GetBytes(template).ToList();
        var at = body.IndexOf((byte)'@');
        body[at] = 0xFF;
        body[at + 1] = 0xFE;
        using var response = await _host.Client.PostAsync("/predict", Wire.Json(body.ToArray()));
        await AssertBadRequestAsync(response, $"invalid UTF-8 in the {where}", "not valid text");
    }

    [Theory]
    [MemberData(nameof(JsonCases))]
    public async Task Bad_Json_Request_Gets_400_With_A_One_Line_Reason(string what, string body, string reason)
    {
        using var response = await _host.Client.PostAsync("/predict", Wire.Json(body));
        await AssertBadRequestAsync(response, what, reason);
    }

    [Fact]
    public async Task Binary_Body_Of_The_Wrong_Length_Gets_400() =>
        await AssertBadRequestAsync(await _host.Client.PostAsync("/predict", Wire.Binary(new float[10], Wire.ImageShape)),
            "short binary body", "needs 3136");

    [Fact]
    public async Task Binary_Request_Without_A_Shape_Gets_400()
    {
        var content = new ByteArrayContent(new byte[3136]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        await AssertBadRequestAsync(await _host.Client.PostAsync("/predict", content), "no shape header", "X-Tensor-Shape");
    }

    [Fact]
    public async Task Binary_Request_Of_Another_Element_Type_Gets_400()
    {
        var content = Wire.Binary(new float[784], Wire.ImageShape);
        content.Headers.Add("X-Tensor-Type", "int32");
        await AssertBadRequestAsync(await _host.Client.PostAsync("/predict", content), "int32 header", "input 'input' is float32");
    }

    [Fact]
    public async Task Binary_Request_Naming_A_Missing_Output_Gets_400()
    {
        var content = Wire.Binary(new float[784], Wire.ImageShape);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/predict") { Content = content };
        request.Headers.Add("X-Output-Name", "/etc/shadow");
        await AssertBadRequestAsync(await _host.Client.SendAsync(request), "unknown output", "unknown output '/etc/shadow'");
    }

    [Fact]
    public async Task Body_Over_The_Limit_Gets_400_With_Content_Length()
    {
        // The server answers from the Content-Length and closes without reading the body; with Expect: 100-continue the
        // client waits for that answer instead of racing it with its upload (which could read a reset, not the 400).
        using var request = new HttpRequestMessage(HttpMethod.Post, "/predict") { Content = Wire.Json(new string(' ', (int)MaxBodyBytes + 1)) };
        request.Headers.ExpectContinue = true;
        await AssertBadRequestAsync(await _host.Client.SendAsync(request), "oversized body", $"limit of {MaxBodyBytes} bytes");
    }

    [Fact]
    public async Task Body_Over_The_Limit_Gets_400_When_Chunked()
    {
        // No Content-Length: the limit must hold while the body streams in.
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(new string(' ', (int)MaxBodyBytes * 2))));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/predict") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        await AssertBadRequestAsync(await _host.Client.SendAsync(request), "chunked oversized body", MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Unsupported_Or_Missing_Content_Type_Gets_400()
    {
        await AssertBadRequestAsync(await _host.Client.PostAsync("/predict", new StringContent("x", Encoding.UTF8, "text/plain")),
            "text/plain", "Content-Type 'text/plain' is not supported");
        var bare = new ByteArrayContent([1, 2, 3]);
        await AssertBadRequestAsync(await _host.Client.PostAsync("/predict", bare), "no content type", "no Content-Type");
    }

    private static string Flat(long[] shape) =>
        JsonSerializer.Serialize(new { inputs = new { input = new { shape, data = new float[shape.Aggregate(1L, (a, b) => a * b)] } } });

    private async Task AssertBadRequestAsync(HttpResponseMessage response, string what, string reason)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: {(int)response.StatusCode} {body}");
            using var document = JsonDocument.Parse(body);
            var error = document.RootElement.GetProperty("error").GetString()!;
            Assert.DoesNotContain('\n', error);
            Assert.Contains(reason, error);
        }
        // The service is unharmed: a good request still gets its answer.
        using var good = await _host.Client.PostAsync("/predict", Wire.Binary(Wire.Image(0), Wire.ImageShape));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
    }
}
