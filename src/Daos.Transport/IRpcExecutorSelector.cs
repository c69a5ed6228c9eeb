namespace Daos.Transport;

/// <summary>Chooses the executor for a request from the destination target in its header.</summary>
public interface IRpcExecutorSelector
{
    /// <summary>The executor for <paramref name="target"/>, or null when this node has no such target (the caller
    /// is answered <see cref="DaosError.BadTarget"/>).</summary>
    IRpcExecutor? Select(uint target);
}
