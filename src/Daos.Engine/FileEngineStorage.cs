using Daos.Storage;

namespace Daos.Engine;

/// <summary>Engine storage in a real directory: every directory is a <see cref="FileMedium"/>.</summary>
public sealed class FileEngineStorage : IEngineStorage
{
    /// <summary>Uses <paramref name="rootDirectory"/> (created when missing).</summary>
    public FileEngineStorage(string rootDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootDirectory);
        RootDirectory = Path.GetFullPath(rootDirectory);
        Directory.CreateDirectory(RootDirectory);
    }

    /// <summary>The root directory.</summary>
    public string RootDirectory { get; }

    /// <inheritdoc/>
    public IStorageMedium OpenDirectory(string relativePath)
    {
        string path = Resolve(relativePath);
        Directory.CreateDirectory(path);
        return FileMedium.Open(path);
    }

    /// <inheritdoc/>
    public void DeleteDirectory(string relativePath)
    {
        string path = Resolve(relativePath);
        if (path == RootDirectory)
        {
            throw new DaosException(DaosError.InvalidArgument, "the engine root cannot be deleted");
        }

        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
            FileMedium.Open(Path.GetDirectoryName(path)!).SyncDirectory();
        }
    }

    private string Resolve(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        string path = Path.GetFullPath(Path.Combine(RootDirectory, relativePath));
        if (!path.StartsWith(RootDirectory, StringComparison.Ordinal))
        {
            throw new DaosException(DaosError.InvalidArgument, $"'{relativePath}' is outside the engine root");
        }

        return path;
    }
}
