using OnnxBn.TestUtilities;

namespace OnnxBn.Cli.Tests.Packaging;

/// <summary>
/// The README's "Embedding in your app" as a new user follows it: a fresh console project outside the repository,
/// an empty NuGet package folder and a HOME of its own (no OnnxBn build, no cached package, nothing inherited from
/// this machine but the NuGet feeds and the PATH), the two packages added from the packed folder and the feeds,
/// exactly the README's program as Program.cs, run on a bundled model.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class PackageConsumerTests(PackedPackages packages)
{
    private static readonly TimeSpan Restore = TimeSpan.FromMinutes(10);

    [Fact]
    public void The_Readme_Program_Builds_Against_The_Packages_In_A_Clean_Environment_And_Runs_A_Bundled_Model()
    {
        using var root = new TempFolder();
        Assert.False(root.Path.StartsWith(RepositoryPaths.Root, StringComparison.Ordinal), "the app must live outside the repository");
        var home = Directory.CreateDirectory(root.File("home")).FullName;
        var environment = CleanEnvironment(home, Directory.CreateDirectory(root.File("nuget-packages")).FullName);
        CopyFeedConfiguration(home);

        Dotnet(environment, root.Path, Restore, "nuget", "add", "source", packages.Folder, "--name", "onnxbn-local");
        Dotnet(environment, root.Path, TimeSpan.FromMinutes(3), "new", "console", "-o", "App", "--framework", "net10.0");
        var app = root.File("App");
        Dotnet(environment, app, Restore, "add", "package", "OnnxBn.Runtime");
        Dotnet(environment, app, Restore, "add", "package", "Microsoft.ML.OnnxRuntime", "--version", "1.32.0");
        File.WriteAllText(Path.Combine(app, "Program.cs"), ReadmeEmbeddingProgram());

        var run = ChildProcess.Run(ChildProcess.Dotnet,
            ["run", "-c", "Release", "--", Path.Combine(RepositoryPaths.Models, "small_cnn_bn.onnx")],
            app, TimeSpan.FromMinutes(10), environment);

        Assert.True(run.Code == 0, run.Describe("dotnet run"));
        Assert.Contains("3 BatchNormalization folded, 0 kept", run.Out);
        Assert.Contains("output shape: [1,10]", run.Out);
        var restored = Directory.EnumerateDirectories(root.File("nuget-packages")).Select(Path.GetFileName).ToArray();
        Assert.Contains("onnxbn.folding", restored);
        Assert.Contains("microsoft.ml.onnxruntime.managed", restored);
    }

    /// <summary>The first C# block after the README's "## Embedding in your app" heading, as written.</summary>
    internal static string ReadmeEmbeddingProgram()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md")).ReplaceLineEndings("\n");
        var section = readme.IndexOf("\n## Embedding in your app\n", StringComparison.Ordinal);
        Assert.True(section >= 0, "README.md has no '## Embedding in your app' section");
        var start = readme.IndexOf("```csharp\n", section, StringComparison.Ordinal) + "```csharp\n".Length;
        var end = readme.IndexOf("\n```\n", start, StringComparison.Ordinal);
        return readme[start..end] + "\n";
    }

    /// <summary>
    /// What a fresh shell on a new machine has: PATH, the dotnet location, the proxy and certificate settings that
    /// reach the NuGet feeds, and HOME, DOTNET_CLI_HOME and NUGET_PACKAGES pointing at empty folders.
    /// </summary>
    private static Dictionary<string, string> CleanEnvironment(string home, string nugetPackages)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["HOME"] = home,
            ["DOTNET_CLI_HOME"] = home,
            ["NUGET_PACKAGES"] = nugetPackages,
            ["TMPDIR"] = Path.GetTempPath(),
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
        };
        foreach (var name in new[] { "PATH", "DOTNET_ROOT", "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY",
                     "HTTPS_PROXY", "NO_PROXY", "NUGET_CERT_REVOCATION_MODE", "SSL_CERT_FILE", "SSL_CERT_DIR" })
        {
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value)
                environment[name] = value;
        }
        return environment;
    }

    /// <summary>The feeds this machine restores from (its user NuGet.Config), so the new HOME reaches the same ones.</summary>
    private static void CopyFeedConfiguration(string home)
    {
        var mine = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "NuGet", "NuGet.Config");
        if (!File.Exists(mine))
            return;
        var target = Directory.CreateDirectory(Path.Combine(home, ".nuget", "NuGet")).FullName;
        File.Copy(mine, Path.Combine(target, "NuGet.Config"));
    }

    private static void Dotnet(Dictionary<string, string> environment, string directory, TimeSpan limit, params string[] args)
    {
        var result = ChildProcess.Run(ChildProcess.Dotnet, args, directory, limit, environment);
        Assert.True(result.Code == 0, result.Describe($"dotnet {string.Join(' ', args)}"));
    }
}
