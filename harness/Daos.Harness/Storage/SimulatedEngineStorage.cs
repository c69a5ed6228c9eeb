using Daos.Engine;
using Daos.Storage;

namespace Daos.Harness.Storage;

/// <summary>
/// Engine storage in memory: one <see cref="SimulatedMedium"/> per directory, kept across engine restarts so that a
/// restarted engine finds what survived. <see cref="Crash"/> is a power loss of the whole engine: every medium keeps
/// what was durable and, from the seed, keeps, drops or tears each write that was not.
/// </summary>
/// <remarks>Thread-safe: engines open directories from several target threads.</remarks>
public sealed class SimulatedEngineStorage : IEngineStorage
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, SimulatedMedium> _directories = new(StringComparer.Ordinal);

    /// <summary>Creates empty storage; <paramref name="name"/> prefixes each medium's location.</summary>
    public SimulatedEngineStorage(string name = "engine") => Name = name;

    /// <summary>The prefix of every medium's location.</summary>
    public string Name { get; }

    /// <summary>Directories that exist, in order.</summary>
    public IReadOnlyList<string> Directories
    {
        get
        {
            lock (_lock)
            {
                return [.. _directories.Keys];
            }
        }
    }

    /// <inheritdoc/>
    public IStorageMedium OpenDirectory(string relativePath)
    {
        string path = Normalize(relativePath);
        lock (_lock)
        {
            if (!_directories.TryGetValue(path, out SimulatedMedium? medium))
            {
                medium = new SimulatedMedium($"{Name}/{path}");
                _directories.Add(path, medium);
            }

            return medium;
        }
    }

    /// <inheritdoc/>
    public void DeleteDirectory(string relativePath)
    {
        string path = Normalize(relativePath);
        if (path.Length == 0)
        {
            throw new DaosException(DaosError.InvalidArgument, "the engine root cannot be deleted");
        }

        lock (_lock)
        {
            foreach (string key in _directories.Keys.Where(k => k == path || k.StartsWith(path + "/", StringComparison.Ordinal)).ToList())
            {
                _directories.Remove(key);
            }
        }
    }

    /// <summary>Power loss: every medium crashes with a seed derived from <paramref name="seed"/> and its path.</summary>
    /// <remarks>The engine must be stopped first: handles opened before the crash are unusable afterwards.</remarks>
    public void Crash(ulong seed)
    {
        lock (_lock)
        {
            ulong i = 0;
            foreach (SimulatedMedium medium in _directories.Values)
            {
                medium.Crash(seed ^ (0x9E3779B97F4A7C15UL * ++i));
            }
        }
    }

    private static string Normalize(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        string path = relativePath.Replace('\\', '/').Trim('/');
        if (path.Split('/').Any(part => part is ".." or "."))
        {
            throw new DaosException(DaosError.InvalidArgument, $"'{relativePath}' leaves the engine root");
        }

        return path;
    }
}
