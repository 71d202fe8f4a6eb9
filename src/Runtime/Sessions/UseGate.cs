namespace OnnxBn.Runtime.Sessions;

/// <summary>
/// Lets calls use native resources while a concurrent <see cref="Dispose"/> waits for the last one to leave: the
/// release runs exactly once, after every use that entered has exited. A use that starts after disposal throws
/// <see cref="ObjectDisposedException"/> instead of touching freed memory (the official objects crash the process
/// when used after disposal).
/// </summary>
internal sealed class UseGate(object owner, Action release)
{
    private int _users;
    private int _disposed;
    private int _released;

    /// <summary>Whether <see cref="Dispose"/> was called.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Enters a use; pair with <see cref="Exit"/> in a finally block.</summary>
    /// <exception cref="ObjectDisposedException">The owner is disposed or being disposed.</exception>
    public void Enter()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, owner);
        Interlocked.Increment(ref _users);
        if (IsDisposed)
        {
            Exit();
            throw new ObjectDisposedException(owner.GetType().FullName);
        }
    }

    /// <summary>Leaves a use; the last one out after disposal releases.</summary>
    public void Exit()
    {
        if (Interlocked.Decrement(ref _users) == 0 && IsDisposed)
            ReleaseOnce();
    }

    /// <summary>Marks the owner disposed; releases now when no use is running, otherwise when the last one exits.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        if (Volatile.Read(ref _users) == 0)
            ReleaseOnce();
    }

    private void ReleaseOnce()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
            release();
    }
}
