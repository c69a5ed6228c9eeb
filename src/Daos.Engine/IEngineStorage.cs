using Daos.Storage;

namespace Daos.Engine;

/// <summary>
/// Where an engine keeps its files: a tree of directories, each opened as an <see cref="IStorageMedium"/>. The
/// engine's own registry lives in the root (""), each pool in <c>&lt;pool-uuid&gt;/target-&lt;i&gt;</c> (its VOS files)
/// and <c>&lt;pool-uuid&gt;/rdb</c> (its service replica's log), the management replica in <c>mgmt</c>.
/// </summary>
/// <remarks>Implementations: <see cref="FileEngineStorage"/> on a real directory; the harness supplies simulated
/// media that can crash. Called from the engine's executors; implementations must tolerate calls from several threads.</remarks>
public interface IEngineStorage
{
    /// <summary>Opens the directory at <paramref name="relativePath"/> ("" for the root, '/' between levels), creating it when missing.</summary>
    IStorageMedium OpenDirectory(string relativePath);

    /// <summary>Deletes the directory at <paramref name="relativePath"/> and everything in it, durably; a missing one is ignored.</summary>
    void DeleteDirectory(string relativePath);
}
