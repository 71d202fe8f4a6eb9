using System.Runtime.InteropServices;

namespace OnnxBn.Cli.Commands;

/// <summary>Ctrl-C and SIGTERM while training: the first one asks the loop to stop and keep its work.</summary>
internal sealed partial class TransferCommand
{
    /// <summary>
    /// While alive, turns the first Ctrl-C (SIGINT) or SIGTERM into a cancelled <see cref="Token"/> instead of killing
    /// the process, so training stops between two mini-batches and model B and the history are still written; a second
    /// Ctrl-C is not intercepted and ends the process as usual. <paramref name="external"/> cancels the token too.
    /// </summary>
    private sealed class InterruptSignals : IDisposable
    {
        private readonly CancellationTokenSource _source;
        private readonly PosixSignalRegistration? _sigterm;

        public InterruptSignals(CancellationToken external)
        {
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
            Console.Error.WriteLine("Interrupt: stopping after this mini-batch and writing model B (press Ctrl-C again to quit at once).");
            _source.Cancel();
        }
    }
}
