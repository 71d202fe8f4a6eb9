using System.Threading.Channels;

namespace OnnxBn.Serving.Models;

/// <summary>
/// Tells when the watched model file has changed: file-system events, plus polling of its size and time stamp for
/// mounts that lose events, then a quiet period (debounce) so a file still being written is read once, at the end.
/// </summary>
public sealed class ReloadWatcher : IDisposable
{
    private readonly string _path;
    private readonly TimeSpan _debounce;
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly FileSystemWatcher? _watcher;
    private readonly Timer _poll;
    private readonly Lock _stampLock = new();
    private (long Length, DateTime Written)? _stamp;

    /// <summary>Watches <paramref name="path"/> (which need not exist yet).</summary>
    public ReloadWatcher(string path, TimeSpan pollInterval, TimeSpan debounce)
    {
        _path = Path.GetFullPath(path);
        _debounce = debounce;
        _stamp = StampOf(_path);
        _watcher = TryWatch(_path, () => _changes.Writer.TryWrite(true));
        _poll = new Timer(_ => Poll(), null, pollInterval, pollInterval);
    }

    /// <summary>Waits for the next change, then for <c>debounce</c> without further change.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public async Task WaitForChangeAsync(CancellationToken cancellationToken)
    {
        await _changes.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            quiet.CancelAfter(_debounce);
            try
            {
                await _changes.Reader.ReadAsync(quiet.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Poll(); // the stamp now describes what will be read, so polling does not report it again
                return;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _poll.Dispose();
        _watcher?.Dispose();
        _changes.Writer.TryComplete();
    }

    private void Poll()
    {
        var stamp = StampOf(_path);
        lock (_stampLock)
        {
            if (stamp == _stamp)
                return;
            _stamp = stamp;
        }
        _changes.Writer.TryWrite(true);
    }

    private static (long, DateTime)? StampOf(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return info.Exists ? (info.Length, info.LastWriteTimeUtc) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static FileSystemWatcher? TryWatch(string path, Action changed)
    {
        try
        {
            var watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!, Path.GetFileName(path))
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            watcher.Changed += (_, _) => changed();
            watcher.Created += (_, _) => changed();
            watcher.Renamed += (_, _) => changed();
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            // No events here (inotify limit, missing folder): polling still sees every change.
            return null;
        }
    }
}
