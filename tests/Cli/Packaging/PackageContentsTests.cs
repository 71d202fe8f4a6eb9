using System.Reflection.PortableExecutable;
using System.Xml.Linq;

namespace OnnxBn.Cli.Tests.Packaging;

/// <summary>
/// What `dotnet pack` puts in each package: dependencies that restore from nuget.org plus our own packages, the
/// managed ONNX Runtime only for libraries (the app picks the natives), the README, XML docs, symbols and source
/// control metadata.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class PackageContentsTests(PackedPackages packages)
{
    /// <summary>The platforms of Microsoft.ML.OnnxRuntime's CPU natives that .NET tools run on.</summary>
    private static readonly string[] Platforms = ["linux-x64", "linux-arm64", "osx-arm64", "win-x64", "win-arm64"];

    [Theory]
    [InlineData("OnnxBn.Folding", new[] { "Google.Protobuf", "System.Numerics.Tensors" })]
    [InlineData("OnnxBn.Runtime", new[] { "Microsoft.ML.OnnxRuntime.Managed", "OnnxBn.Folding", "System.Numerics.Tensors" })]
    [InlineData("OnnxBn.Training", new[] { "OnnxBn.Runtime", "System.Numerics.Tensors" })]
    public void Libraries_Depend_On_Exactly_These_Packages(string id, string[] expected)
    {
        Assert.Equal(expected, Dependencies(id).Select(d => d.Id).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("OnnxBn.Runtime", "OnnxBn.Folding")]
    [InlineData("OnnxBn.Training", "OnnxBn.Runtime")]
    public void A_Library_Depends_On_Our_Other_Package_Of_Its_Own_Version(string id, string dependency)
    {
        Assert.Equal(Version(id), Dependencies(id).Single(d => d.Id == dependency).Version);
    }

    [Fact]
    public void Runtime_Depends_On_The_Managed_Onnx_Runtime_Of_The_Repository_And_No_Natives()
    {
        var ort = Dependencies("OnnxBn.Runtime").Single(d => d.Id == "Microsoft.ML.OnnxRuntime.Managed");

        Assert.Equal("1.32.0", ort.Version);
        Assert.DoesNotContain(packages.Entries("OnnxBn.Runtime"), e => e.StartsWith("runtimes/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("OnnxBn.Folding")]
    [InlineData("OnnxBn.Runtime")]
    [InlineData("OnnxBn.Training")]
    public void Libraries_Carry_Their_Xml_Docs_And_Symbols(string id)
    {
        Assert.Contains($"lib/net10.0/{id}.xml", packages.Entries(id));
        Assert.True(File.Exists(Path.ChangeExtension(packages.PackageFile(id), ".snupkg")), $"{id} has no symbol package");
    }

    [Theory]
    [InlineData("OnnxBn.Folding")]
    [InlineData("OnnxBn.Runtime")]
    [InlineData("OnnxBn.Training")]
    [InlineData("OnnxBn.Cli")]
    public void Every_Package_Has_The_Readme_And_The_Commit_It_Was_Built_From(string id)
    {
        var metadata = Metadata(id);

        Assert.Equal("README.md", metadata.Element(Ns(id) + "readme")?.Value);
        Assert.Contains("README.md", packages.Entries(id));
        var commit = metadata.Element(Ns(id) + "repository")?.Attribute("commit")?.Value;
        Assert.Matches("^[0-9a-f]{40}$", commit ?? "");
    }

    [Fact]
    public void The_Tool_Package_Is_A_Dotnet_Tool_Pointing_At_One_Package_Per_Platform()
    {
        var metadata = Metadata("OnnxBn.Cli");

        Assert.Equal("DotnetTool", metadata.Element(Ns("OnnxBn.Cli") + "packageTypes")?.Element(Ns("OnnxBn.Cli") + "packageType")?.Attribute("name")?.Value);
        Assert.Empty(Dependencies("OnnxBn.Cli"));
        var settings = packages.ToolSettings("OnnxBn.Cli");
        Assert.Equal(Platforms.Order(StringComparer.Ordinal),
            settings.Descendants("RuntimeIdentifierPackage").Select(p => p.Attribute("RuntimeIdentifier")!.Value).Order(StringComparer.Ordinal));
        Assert.All(settings.Descendants("RuntimeIdentifierPackage"),
            p => Assert.Equal($"OnnxBn.Cli.{p.Attribute("RuntimeIdentifier")!.Value}", p.Attribute("Id")!.Value));
    }

    [Theory]
    [InlineData("linux-x64", "libonnxruntime.so")]
    [InlineData("linux-arm64", "libonnxruntime.so")]
    [InlineData("osx-arm64", "libonnxruntime.dylib")]
    [InlineData("win-x64", "onnxruntime.dll")]
    [InlineData("win-arm64", "onnxruntime.dll")]
    public void Each_Platform_Package_Carries_The_Cpu_Natives_Of_Its_Platform_Only(string rid, string library)
    {
        var entries = packages.Entries($"OnnxBn.Cli.{rid}");

        Assert.Contains(entries, e => e == $"tools/net10.0/{rid}/{library}");
        var others = new[] { "libonnxruntime.so", "libonnxruntime.dylib", "onnxruntime.dll" }.Where(l => l != library);
        Assert.DoesNotContain(entries, e => others.Any(o => e.EndsWith("/" + o, StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("linux-x64")]
    [InlineData("win-x64")]
    [InlineData("osx-arm64")]
    public void The_Platform_Packages_Hold_ReadyToRun_Code(string rid)
    {
        using var image = new MemoryStream(packages.Read($"OnnxBn.Cli.{rid}", $"tools/net10.0/{rid}/onnxbn.dll"));
        using var pe = new PEReader(image);

        Assert.True(pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, $"onnxbn.dll of {rid} is IL only");
    }

    private XElement Metadata(string id) => packages.Nuspec(id).Root!.Element(Ns(id) + "metadata")!;

    private string Version(string id) => Metadata(id).Element(Ns(id) + "version")!.Value;

    private XNamespace Ns(string id) => packages.Nuspec(id).Root!.Name.Namespace;

    private IEnumerable<(string Id, string Version)> Dependencies(string id) =>
        Metadata(id).Descendants(Ns(id) + "dependency")
            .Select(d => (d.Attribute("id")!.Value, d.Attribute("version")!.Value));
}
