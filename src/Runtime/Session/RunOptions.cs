using System.Runtime.InteropServices;
using OnnxBn.Runtime.Native;

namespace OnnxBn.Runtime.Session;

/// <summary>
/// Per-run settings (<c>OrtRunOptions</c>): a tag for ONNX Runtime's logs, a log level, and the terminate flag that
/// stops every run using these options as soon as possible (the run then throws <see cref="OperationCanceledException"/>).
/// </summary>
public sealed unsafe class RunOptions : IDisposable
{
    private volatile bool _terminate;

    /// <summary>Creates run options with no tag and the terminate flag clear.</summary>
    public RunOptions()
    {
        var api = OrtApi.Instance;
        nint raw;
        api.Check(api.CreateRunOptions(&raw));
        Handle = new RunOptionsHandle(raw);
    }

    internal RunOptionsHandle Handle { get; }

    internal CancellationToken CancellationToken { get; private set; }

    /// <summary>The tag ONNX Runtime puts on this run's log lines (read back from the native options).</summary>
    public string Tag
    {
        get
        {
            var api = OrtApi.Instance;
            byte* tag;
            api.Check(api.RunOptionsGetRunTag(Handle.DangerousGetHandle(), &tag));
            return Marshal.PtrToStringUTF8((nint)tag) ?? "";
        }
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            var api = OrtApi.Instance;
            fixed (byte* tag = OrtEnvironment.Utf8(value))
                api.Check(api.RunOptionsSetRunTag(Handle.DangerousGetHandle(), tag));
        }
    }

    /// <summary>Sets the log severity for runs with these options.</summary>
    public void SetLogLevel(OrtLogLevel level)
    {
        var api = OrtApi.Instance;
        api.Check(api.RunOptionsSetRunLogSeverityLevel(Handle.DangerousGetHandle(), (int)level));
    }

    /// <summary>True after <see cref="Terminate"/> until <see cref="ResetTerminate"/>.</summary>
    public bool IsTerminateRequested => _terminate;

    /// <summary>Asks every run using these options to stop; safe to call from any thread, also during a run.</summary>
    public void Terminate()
    {
        _terminate = true;
        var api = OrtApi.Instance;
        // Usually called from another thread than the run's: hold a reference so a concurrent Dispose cannot free
        // the native options under the call.
        var added = false;
        Handle.DangerousAddRef(ref added);
        try
        {
            api.Check(api.RunOptionsSetTerminate(Handle.DangerousGetHandle()));
        }
        finally
        {
            Handle.DangerousRelease();
        }
    }

    /// <summary>Clears the terminate flag so these options can be used for new runs.</summary>
    public void ResetTerminate()
    {
        var api = OrtApi.Instance;
        api.Check(api.RunOptionsUnsetTerminate(Handle.DangerousGetHandle()));
        _terminate = false;
        CancellationToken = default;
    }

    /// <summary>Calls <see cref="Terminate"/> when <paramref name="token"/> is cancelled, until the registration is disposed.</summary>
    public CancellationTokenRegistration TerminateOn(CancellationToken token)
    {
        CancellationToken = token;
        return token.Register(static state => ((RunOptions)state!).TerminateQuietly(), this);
    }

    private void TerminateQuietly()
    {
        try
        {
            Terminate();
        }
        catch (ObjectDisposedException)
        {
            // The options were disposed after the run ended; nothing left to stop.
        }
    }

    /// <summary>Releases the native run options.</summary>
    public void Dispose() => Handle.Dispose();
}
