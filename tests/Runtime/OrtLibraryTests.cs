using System.Runtime.InteropServices;
using OnnxBn.Runtime.Native;
using OnnxBn.Runtime.Session;

namespace OnnxBn.Runtime.Tests;

public sealed unsafe class OrtLibraryTests
{
    [Fact]
    public void Loads_The_Pinned_Version_From_Next_To_The_Tests()
    {
        _ = OrtEnvironment.Instance;
        Assert.Equal(OrtLibrary.PinnedVersion, OrtLibrary.LoadedVersion);
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, OrtLibrary.LibraryFileName)),
            "the build should copy libonnxruntime.so.1 to the test output");
    }

    [Fact]
    public void Api_Version_29_Is_Exactly_The_Newest_The_Library_Offers()
    {
        var path = OrtLibrary.LoadedPath;
        Assert.True(OrtLibrary.TryLoad(path, OrtLibrary.ApiVersion, out _, out var version, out _));
        Assert.Equal("1.29.0", version);
        Assert.False(OrtLibrary.TryLoad(path, OrtLibrary.ApiVersion + 1, out _, out _, out var reason));
        Assert.Contains("1.29.0 does not provide C API version 30", reason);
    }

    [Fact]
    public void Status_Slots_Round_Trip_Code_And_Message()
    {
        var api = OrtApi.Instance;
        fixed (byte* message = "slot check\0"u8)
        {
            var status = api.CreateStatus((int)OrtErrorCode.InvalidGraph, message);
            var ex = Assert.Throws<OrtException>(() => api.Check(status));
            Assert.Equal(OrtErrorCode.InvalidGraph, ex.Code);
            Assert.Equal("slot check", ex.OrtMessage);
        }
    }

    [Fact]
    public void The_Environment_Is_One_Per_Process()
    {
        var env = OrtEnvironment.Instance;
        Assert.Same(env, OrtEnvironment.Initialize());
        var other = env.LogLevel == OrtLogLevel.Fatal ? OrtLogLevel.Error : OrtLogLevel.Fatal;
        var again = OrtEnvironment.Initialize(other);
        Assert.Same(env, again);
        Assert.NotEqual(other, again.LogLevel); // the first call decides; sessions set their own log level
        Assert.Equal(OrtLibrary.LoadedPath, env.LibraryPath);
    }

    [Fact]
    public void Available_Providers_Include_Cpu()
    {
        Assert.Contains("CPUExecutionProvider", OrtEnvironment.Instance.AvailableProviders);
    }

    [Fact]
    public void Missing_Or_Wrong_Libraries_Are_Listed_With_Reasons()
    {
        var dir = Directory.CreateTempSubdirectory("onnxbn-lib").FullName;
        var notThere = Path.Combine(dir, "missing.so");
        var notElf = Path.Combine(dir, "text.so");
        File.WriteAllText(notElf, "not a library");
        var attempts = new List<(string, string)>();
        foreach (var path in new[] { notThere, notElf })
        {
            Assert.False(OrtLibrary.TryLoad(path, OrtLibrary.ApiVersion, out _, out _, out var reason));
            attempts.Add((path, reason));
        }
        var ex = new OrtLibraryNotFoundException(attempts);
        Assert.Contains($"{notThere} (not found)", ex.Message);
        Assert.Contains($"{notElf} (cannot be loaded", ex.Message);
        Assert.Contains(OrtLibrary.LibraryPathVariable, ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void A_Library_Without_The_Entry_Point_Is_Rejected()
    {
        var libc = RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? "/lib/x86_64-linux-gnu/libc.so.6" : null;
        Assert.NotNull(libc);
        Assert.False(OrtLibrary.TryLoad(libc!, OrtLibrary.ApiVersion, out _, out _, out var reason));
        Assert.Contains("no OrtGetApiBase", reason);
    }

    [Fact]
    public void Explicit_Path_Is_The_Only_Candidate()
    {
        Assert.Equal(["/opt/ort/libonnxruntime.so.1"], OrtLibrary.CandidatePaths("/opt/ort/libonnxruntime.so.1"));
        var defaults = OrtLibrary.CandidatePaths();
        if (Environment.GetEnvironmentVariable(OrtLibrary.LibraryPathVariable) is null)
        {
            Assert.Equal(Path.Combine(AppContext.BaseDirectory, OrtLibrary.LibraryFileName), defaults[0]);
            Assert.Equal(Path.Combine(OrtLibrary.DefaultCacheDirectory, OrtLibrary.LibraryFileName), defaults[1]);
        }
    }
}
