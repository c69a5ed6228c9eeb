using System.Collections.Concurrent;
using Daos.Engine;
using Daos.Harness.Storage;
using Daos.Storage;

namespace Daos.Engine.Tests.Cluster;

/// <summary>Engine storage on simulated media, one per directory, that can all crash at once or refuse to open.</summary>
internal sealed class SimulatedEngineStorage(string name) : IEngineStorage
{
    private readonly ConcurrentDictionary<string, SimulatedMedium> _media = new();

    /// <summary>When it returns true for a path, opening that directory fails with IO (a failing disk).</summary>
    public Func<string, bool>? FailOpen { get; set; }

    public IReadOnlyCollection<string> Directories => [.. _media.Keys];

    public IStorageMedium OpenDirectory(string relativePath)
    {
        if (FailOpen?.Invoke(relativePath) == true)
        {
            throw new DaosException(DaosError.IO, $"injected failure opening {name}/{relativePath}");
        }

        return _media.GetOrAdd(relativePath, p => new SimulatedMedium($"{name}/{p}"));
    }

    public void DeleteDirectory(string relativePath)
    {
        foreach (string path in _media.Keys)
        {
            if (path == relativePath || path.StartsWith(relativePath + "/", StringComparison.Ordinal))
            {
                _media.TryRemove(path, out _);
            }
        }
    }

    /// <summary>Power loss on every medium: what was not durable is dropped or torn.</summary>
    public void Crash(ulong seed)
    {
        foreach (SimulatedMedium medium in _media.Values)
        {
            medium.Crash(seed++);
        }
    }
}
