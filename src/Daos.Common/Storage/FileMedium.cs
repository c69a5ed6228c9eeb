using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Daos.Storage;

/// <summary>
/// The real storage medium: a directory of the host file system. Files are opened as <see cref="SafeFileHandle"/>s
/// and accessed with <see cref="RandomAccess"/> (no stream buffering, positional I/O); <see cref="IMediumFile.Flush"/>
/// is <c>fdatasync(2)</c> and <see cref="SyncDirectory"/> is <c>fsync(2)</c> on the directory itself, so a new,
/// renamed or deleted file survives power loss once synced.
/// </summary>
public sealed partial class FileMedium : IStorageMedium
{
    private FileMedium(string directory) => Location = directory;

    /// <inheritdoc/>
    public string Location { get; }

    /// <summary>Opens the directory at <paramref name="directory"/>, creating it (and syncing its parent) when missing.</summary>
    public static FileMedium Open(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string full = Path.GetFullPath(directory);
        if (!Directory.Exists(full))
        {
            try
            {
                Directory.CreateDirectory(full);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new DaosException(DaosError.IO, $"cannot create directory '{full}': {e.Message}", e);
            }

            string? parent = Path.GetDirectoryName(full);
            if (parent is not null)
            {
                FsyncDirectory(parent);
            }
        }

        return new FileMedium(full);
    }

    /// <inheritdoc/>
    public IMediumFile OpenFile(string name, MediumOpenMode mode)
    {
        string path = PathOf(name);
        FileMode fileMode = mode switch
        {
            MediumOpenMode.CreateNew => FileMode.CreateNew,
            MediumOpenMode.OpenExisting => FileMode.Open,
            _ => FileMode.OpenOrCreate,
        };
        try
        {
            SafeFileHandle handle = File.OpenHandle(path, fileMode, FileAccess.ReadWrite, FileShare.Read,
                FileOptions.None);
            return new FileMediumFile(name, path, handle);
        }
        catch (FileNotFoundException e)
        {
            throw new DaosException(DaosError.NonExistent, $"file '{path}' does not exist", e);
        }
        catch (IOException e) when (mode == MediumOpenMode.CreateNew && File.Exists(path))
        {
            throw new DaosException(DaosError.Exists, $"file '{path}' already exists", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DaosException(DaosError.IO, $"cannot open '{path}': {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    public bool FileExists(string name) => File.Exists(PathOf(name));

    /// <inheritdoc/>
    public IReadOnlyList<string> ListFiles()
    {
        var names = new List<string>();
        foreach (string path in Directory.EnumerateFiles(Location))
        {
            names.Add(Path.GetFileName(path));
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <inheritdoc/>
    public void DeleteFile(string name)
    {
        string path = PathOf(name);
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DaosException(DaosError.IO, $"cannot delete '{path}': {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    public void RenameFile(string source, string destination)
    {
        string from = PathOf(source);
        string to = PathOf(destination);
        try
        {
            File.Move(from, to, overwrite: true);
        }
        catch (FileNotFoundException e)
        {
            throw new DaosException(DaosError.NonExistent, $"cannot rename '{from}': it does not exist", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DaosException(DaosError.IO, $"cannot rename '{from}' to '{to}': {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    public void SyncDirectory() => FsyncDirectory(Location);

    private string PathOf(string name)
    {
        MediumNames.Validate(name);
        return Path.Combine(Location, name);
    }

    private static void FsyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
        {
            return; // Windows has no directory fsync; NTFS journals metadata itself.
        }

        int fd = Native.Open(directory, Native.ReadOnly | Native.Directory);
        if (fd < 0)
        {
            throw new DaosException(DaosError.IO,
                $"cannot open directory '{directory}' to sync it: errno {Marshal.GetLastPInvokeError()}");
        }

        try
        {
            if (Native.Fsync(fd) != 0)
            {
                throw new DaosException(DaosError.IO,
                    $"fsync of directory '{directory}' failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        finally
        {
            _ = Native.Close(fd);
        }
    }

    private sealed class FileMediumFile(string name, string path, SafeFileHandle handle) : IMediumFile
    {
        public string Name { get; } = name;

        public long Length => RandomAccess.GetLength(Handle);

        private SafeFileHandle Handle => handle.IsClosed
            ? throw new ObjectDisposedException(path)
            : handle;

        public int Read(long offset, Span<byte> destination)
        {
            int total = 0;
            try
            {
                while (total < destination.Length)
                {
                    int n = RandomAccess.Read(Handle, destination[total..], offset + total);
                    if (n == 0)
                    {
                        break;
                    }

                    total += n;
                }
            }
            catch (IOException e)
            {
                throw new DaosException(DaosError.IO, $"read of '{path}' at {offset} failed: {e.Message}", e);
            }

            return total;
        }

        public void Write(long offset, ReadOnlySpan<byte> source)
        {
            try
            {
                RandomAccess.Write(Handle, source, offset);
            }
            catch (IOException e)
            {
                throw Translate(e, offset);
            }
        }

        public async ValueTask<int> ReadAsync(long offset, Memory<byte> destination, CancellationToken ct = default)
        {
            int total = 0;
            try
            {
                while (total < destination.Length)
                {
                    int n = await RandomAccess.ReadAsync(Handle, destination[total..], offset + total, ct).ConfigureAwait(false);
                    if (n == 0)
                    {
                        break;
                    }

                    total += n;
                }
            }
            catch (IOException e)
            {
                throw new DaosException(DaosError.IO, $"read of '{path}' at {offset} failed: {e.Message}", e);
            }

            return total;
        }

        public async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> source, CancellationToken ct = default)
        {
            try
            {
                await RandomAccess.WriteAsync(Handle, source, offset, ct).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw Translate(e, offset);
            }
        }

        public void SetLength(long length)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(length);
            try
            {
                RandomAccess.SetLength(Handle, length);
            }
            catch (IOException e)
            {
                throw Translate(e, length);
            }
        }

        public void Flush()
        {
            SafeFileHandle h = Handle;
            if (OperatingSystem.IsLinux())
            {
                if (Native.Fdatasync(h) != 0)
                {
                    throw new DaosException(DaosError.IO,
                        $"fdatasync of '{path}' failed: errno {Marshal.GetLastPInvokeError()}");
                }

                return;
            }

            if (OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
            {
                if (Native.Fsync(h) != 0)
                {
                    throw new DaosException(DaosError.IO, $"fsync of '{path}' failed: errno {Marshal.GetLastPInvokeError()}");
                }

                return;
            }

            using var stream = new FileStream(new SafeFileHandle(h.DangerousGetHandle(), ownsHandle: false), FileAccess.ReadWrite);
            stream.Flush(flushToDisk: true);
        }

        public ValueTask FlushAsync(CancellationToken ct = default)
        {
            // fdatasync has no asynchronous form; the caller (group commit) amortises one barrier over many commits.
            ct.ThrowIfCancellationRequested();
            Flush();
            return ValueTask.CompletedTask;
        }

        public void Dispose() => handle.Dispose();

        private DaosException Translate(IOException e, long offset)
        {
            const int ENOSPC = 28;
            bool full = (e.HResult & 0xFFFF) == ENOSPC || e.Message.Contains("No space", StringComparison.OrdinalIgnoreCase);
            return new DaosException(full ? DaosError.NoSpace : DaosError.IO,
                $"write of '{path}' at {offset} failed: {e.Message}", e);
        }
    }

    private static partial class Native
    {
        public const int ReadOnly = 0;

        // O_DIRECTORY differs by platform: 0200000 on Linux x86-64, 040000 on Linux arm64, 0x100000 on macOS.
        public static int Directory => OperatingSystem.IsMacOS() ? 0x100000
            : RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 : 0x10000;

        [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
        public static partial int Close(int fd);

        [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
        public static partial int Fsync(int fd);

        [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
        public static partial int Fsync(SafeFileHandle fd);

        [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
        public static partial int Fdatasync(SafeFileHandle fd);
    }
}
