using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using OnnxBn.Folding;
using OnnxBn.TestUtilities;

namespace OnnxBn.Serving.Tests;

/// <summary>
/// Tensor names in the binary format's headers are UTF-8 both ways: a model whose input is called 入力 is served,
/// bytes that are not UTF-8 get the service's own 400, and an output name no header can hold still gets an answer.
/// </summary>
[Collection(ServingCollection.Name)]
public sealed class TensorNameHeaderTests : IAsyncLifetime
{
    private const string Input = "入力";
    private const string Output = "出力";
    private const string ControlOutput = "raw\u0001out";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "onnxbn-names-" + Guid.NewGuid().ToString("N"));
    private ServingHost _host = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        string model = Path.Combine(_folder, "names.onnx");
        new GraphBuilder()
            .Input(Input, OnnxDataType.Float, "N", 3)
            .Output(Output, OnnxDataType.Float, "N", 3)
            .Output(ControlOutput, OnnxDataType.Float, "N", 3)
            .Node("Relu", [Input], [Output], "relu")
            .Node("Neg", [Input], [ControlOutput], "neg")
            .Build()
            .Save(model);
        _host = await ServingHost.StartAsync(model, o => o.Watch = false);
        // A client that sends and reads these headers as the bytes they are (Latin-1 maps bytes to chars one to one).
        _client = new HttpClient(new SocketsHttpHandler
        {
            RequestHeaderEncodingSelector = (_, _) => Encoding.Latin1,
            ResponseHeaderEncodingSelector = (_, _) => Encoding.Latin1,
        })
        { BaseAddress = _host.Address, Timeout = ServingHost.Patience };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_Utf8_Input_Name_Is_Read_And_The_Output_Name_Comes_Back_In_Utf8()
    {
        using var response = await _client.SendAsync(Request(Utf8Bytes(Input), output: null));

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal(Output, FromUtf8Bytes(response.Headers.GetValues("X-Tensor-Name").Single()));
        var values = MemoryMarshal.Cast<byte, float>(await response.Content.ReadAsByteArrayAsync()).ToArray();
        Assert.Equal([0f, 2f, 0f], values);
    }

    [Fact]
    public async Task An_Output_Name_With_A_Control_Character_Is_Written_Escaped()
    {
        using var response = await _client.SendAsync(Request(Utf8Bytes(Input), output: Utf8Bytes(ControlOutput)));

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal("raw%01out", FromUtf8Bytes(response.Headers.GetValues("X-Tensor-Name").Single()));
    }

    [Theory]
    [InlineData("X-Tensor-Name")]
    [InlineData("X-Output-Name")]
    public async Task A_Name_Header_That_Is_Not_Utf8_Gets_The_Service_s_Own_400(string header)
    {
        const string notUtf8 = "\u00FF\u00FE"; // the bytes FF FE
        using var response = await _client.SendAsync(header == "X-Tensor-Name"
            ? Request(notUtf8, output: null)
            : Request(Utf8Bytes(Input), output: notUtf8));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body);
        using var document = JsonDocument.Parse(body);
        Assert.Equal($"{header} is not UTF-8 text", document.RootElement.GetProperty("error").GetString());
    }

    private static HttpRequestMessage Request(string nameBytes, string? output)
    {
        float[] data = [-1, 2, -3];
        var content = new ByteArrayContent(MemoryMarshal.AsBytes(data.AsSpan()).ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-onnxbn-tensor");
        content.Headers.Add("X-Tensor-Shape", "1,3");
        var request = new HttpRequestMessage(HttpMethod.Post, "/predict") { Content = content };
        request.Headers.Add("X-Tensor-Name", nameBytes);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-onnxbn-tensor"));
        if (output is not null)
            request.Headers.Add("X-Output-Name", output);
        return request;
    }

    /// <summary>The UTF-8 bytes of <paramref name="text"/>, one char a byte (what the Latin-1 client sends as is).</summary>
    private static string Utf8Bytes(string text) => Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(text));

    private static string FromUtf8Bytes(string latin1) => Encoding.UTF8.GetString(Encoding.Latin1.GetBytes(latin1));
}
