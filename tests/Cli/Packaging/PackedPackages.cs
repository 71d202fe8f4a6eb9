using System.IO.Compression;
using System.Xml.Linq;
using OnnxBn.TestUtilities;

namespace OnnxBn.Cli.Tests.Packaging;

/// <summary>The tests that read the packed packages (packing takes a while: once for all of them).</summary>
[CollectionDefinition(Name)]
public sealed class PackedPackagesCollection : ICollectionFixture<PackedPackages>
{
    public const string Name = "packed packages";
}

/// <summary>
/// The four packages, packed once for the tests that share this fixture: `dotnet pack` of each src project, as
/// built for these tests (same configuration, no rebuild), into a temporary folder removed afterwards.
/// </summary>
public sealed class PackedPackages : IDisposable
{
    public static readonly string[] Projects = ["Folding", "Runtime", "Training", "Cli"];

#if DEBUG
    public const string Configuration = "Debug";
#else
    public const string Configuration = "Release";
#endif

    private readonly TempFolder _folder = new();

    public PackedPackages()
    {
        // The libraries as built for these tests; the tool is published per platform (ReadyToRun), which builds.
        foreach (var project in Projects)
        {
            string[] build = project == "Cli" ? [] : ["--no-build"];
            var pack = ChildProcess.Run(ChildProcess.Dotnet,
                ["pack", Path.Combine(RepositoryPaths.Root, "src", project), "-c", Configuration, .. build, "-o", Folder, "-nologo"],
                RepositoryPaths.Root, TimeSpan.FromMinutes(project == "Cli" ? 30 : 10));
            if (pack.Code != 0)
                throw new InvalidOperationException(pack.Describe($"dotnet pack src/{project}"));
        }
    }

    /// <summary>The folder holding the .nupkg and .snupkg files (a local NuGet feed).</summary>
    public string Folder => _folder.Path;

    /// <summary>The package file of <paramref name="id"/>.</summary>
    public string PackageFile(string id) =>
        Directory.EnumerateFiles(Folder, $"{id}.*.nupkg").Single(f => IsVersionOf(Path.GetFileName(f), id));

    /// <summary>The package's .nuspec.</summary>
    public XDocument Nuspec(string id)
    {
        using var zip = ZipFile.OpenRead(PackageFile(id));
        using var stream = zip.Entries.Single(e => e.FullName == $"{id}.nuspec").Open();
        return XDocument.Load(stream);
    }

    /// <summary>Every file path inside the package.</summary>
    public IReadOnlyList<string> Entries(string id)
    {
        using var zip = ZipFile.OpenRead(PackageFile(id));
        return zip.Entries.Select(e => e.FullName).ToArray();
    }

    /// <summary>One file of the package.</summary>
    public byte[] Read(string id, string entry)
    {
        using var zip = ZipFile.OpenRead(PackageFile(id));
        using var stream = zip.GetEntry(entry)?.Open() ?? throw new FileNotFoundException($"{id} has no {entry}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The DotnetToolSettings.xml of a tool package.</summary>
    public XDocument ToolSettings(string id)
    {
        var entry = Entries(id).Single(e => e.EndsWith("/DotnetToolSettings.xml", StringComparison.Ordinal));
        using var stream = new MemoryStream(Read(id, entry));
        return XDocument.Load(stream);
    }

    public void Dispose() => _folder.Dispose();

    // OnnxBn.Runtime.0.1.0.nupkg is a version of OnnxBn.Runtime; OnnxBn.Runtime.Extra.0.1.0.nupkg would not be.
    private static bool IsVersionOf(string file, string id) =>
        file.Length > id.Length + 1 && char.IsDigit(file[id.Length + 1]);
}
