namespace Daos.Storage;

/// <summary>
/// The storage-medium seam: one directory of files. Everything Daos.NET persists (heap images, write-ahead logs,
/// blob files, Raft logs) goes through it, so the harness can substitute a simulated medium that loses
/// non-durable writes on a crash.
/// </summary>
/// <remarks>
/// Durability contract, the same for every implementation: bytes written to a file are durable only after a
/// later <see cref="IMediumFile.Flush"/> of that file; a file's existence, deletion or new name is durable only
/// after a later <see cref="SyncDirectory"/>. A crash may keep, drop or tear anything not yet durable.
/// Not thread-safe; a medium belongs to one owner (a target).
/// </remarks>
public interface IStorageMedium
{
    /// <summary>A name for messages (the directory path, or the simulated medium's name).</summary>
    string Location { get; }

    /// <summary>Opens or creates a file.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.Exists"/> for <see cref="MediumOpenMode.CreateNew"/> on an existing file,
    /// <see cref="DaosError.NonExistent"/> for <see cref="MediumOpenMode.OpenExisting"/> on a missing one,
    /// <see cref="DaosError.InvalidArgument"/> for a name that is not a plain file name.</exception>
    IMediumFile OpenFile(string name, MediumOpenMode mode);

    /// <summary>True when a file of that name exists.</summary>
    bool FileExists(string name);

    /// <summary>The names of the files, in ordinal order.</summary>
    IReadOnlyList<string> ListFiles();

    /// <summary>Deletes a file; missing files are ignored.</summary>
    void DeleteFile(string name);

    /// <summary>Renames <paramref name="source"/> to <paramref name="destination"/>, atomically replacing any file of that name.</summary>
    void RenameFile(string source, string destination);

    /// <summary>Makes creations, deletions and renames so far durable (fsync of the directory).</summary>
    void SyncDirectory();
}

/// <summary>How <see cref="IStorageMedium.OpenFile"/> treats an existing or missing file.</summary>
public enum MediumOpenMode
{
    /// <summary>Create the file; fail if it exists.</summary>
    CreateNew,
    /// <summary>Open the file; fail if it is missing.</summary>
    OpenExisting,
    /// <summary>Open the file, creating it empty when missing.</summary>
    OpenOrCreate,
}
