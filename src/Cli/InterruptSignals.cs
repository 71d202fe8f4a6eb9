using System.Runtime.InteropServices;

namespace OnnxBn.Cli;

/// <summary>
/// While alive, turns the first Ctrl-C (SIGINT) or SIGTERM into a cancelled <see cref="Token"/> instead of killing
/// the process, so the command stops at its next check and cleans up or keeps its work; a second
/// Ctrl-C is not intercepted and ends the process as usual. The token given to the constructor cancels it too.
/// </summary>
internal sealed class InterruptSignals : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly PosixSignalRegistration? _sigterm;
    private readonly string _announcement;

    public InterruptSignals(CancellationToken external, string announcement)
    {
        _announcement = announcement;
        _source = CancellationTokenSource.CreateLinkedTokenSource(external);
        Console.CancelKeyPress += OnCancelKeyPress;
        if (!OperatingSystem.IsWindows())
            _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                _source.Cancel();
            });
    }

    public CancellationToken Token => _source.Token;

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _sigterm?.Dispose();
        _source.Dispose();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        if (_source.IsCancellationRequested)
            return;
        e.Cancel = true;
        Console.Error.WriteLine();
        Console.Error.WriteLine(_announcement);
        _source.Cancel();
    }
}
