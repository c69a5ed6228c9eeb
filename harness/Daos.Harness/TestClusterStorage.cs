namespace Daos.Harness;

/// <summary>The storage choice of a <see cref="TestCluster"/>: <see cref="Memory"/> or <see cref="Files(string)"/>.</summary>
public sealed record TestClusterStorage
{
    private TestClusterStorage(TestClusterStorageKind kind, string? directory)
    {
        Kind = kind;
        Directory = directory;
    }

    /// <summary>Memory or files.</summary>
    public TestClusterStorageKind Kind { get; }

    /// <summary>For <see cref="TestClusterStorageKind.Files"/>: the directory holding one <c>engine-N</c> folder per rank.</summary>
    public string? Directory { get; }

    /// <summary>Simulated media in memory.</summary>
    public static TestClusterStorage Memory { get; } = new(TestClusterStorageKind.Memory, null);

    /// <summary>Files under <paramref name="directory"/> (created if missing; kept when the cluster is disposed).</summary>
    public static TestClusterStorage Files(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return new(TestClusterStorageKind.Files, Path.GetFullPath(directory));
    }

    /// <inheritdoc/>
    public override string ToString() => Kind == TestClusterStorageKind.Memory ? "Memory" : $"Files({Directory})";
}
