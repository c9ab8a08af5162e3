using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace CreditScoring.Sdk.Data;

/// <summary>
/// Writes one or more output files all or nothing: each file is written to a temporary file beside its target, flushed to
/// disk, and renamed over the target only when <see cref="Commit"/> is called, so a reader sees the old content or the
/// complete new content, never a file cut in the middle. Disposing without committing deletes the temporary files and
/// leaves every target as it was. The model file, the exports, reports and scores files are written this way.
/// </summary>
/// <remarks>
/// <para>
/// A target that exists must be a regular file: a directory, a device (such as <c>/dev/full</c>), a pipe or a socket is
/// refused with an <see cref="IOException"/> before anything is written. A symbolic link is followed, so the file it points
/// to is replaced and the link kept.
/// </para>
/// <para>
/// Temporary files are named <c>.NAME.HOST.PID.GUID.tmp</c> in the target's folder. A process killed while writing leaves
/// its temporary file behind (and, killed inside <see cref="Commit"/> with several files, the copy of a target it had set
/// aside, <c>.tmp.old</c>); the next write of the same target on the same host removes those whose process has ended.
/// </para>
/// <para>
/// With several files, <see cref="Commit"/> copies each existing target aside first and puts every one back if a rename
/// fails. A process killed during the renames themselves (microseconds) may leave the first files new and the rest old.
/// </para>
/// </remarks>
public sealed class OutputFiles : IDisposable
{
    private readonly List<Staged> _staged = [];
    private bool _done;

    /// <summary>Writes one file atomically (see <see cref="OutputFiles"/>).</summary>
    /// <param name="path">The target.</param>
    /// <param name="bytes">The complete content.</param>
    /// <exception cref="IOException">The target is not a regular file, or the write failed (the target is unchanged).</exception>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        using var files = new OutputFiles();
        files.Create(path).Write(bytes);
        files.Commit();
    }

    /// <summary>Writes one file atomically with a callback that writes the content.</summary>
    /// <param name="path">The target.</param>
    /// <param name="write">Writes the content to the stream (may dispose it).</param>
    /// <exception cref="IOException">The target is not a regular file, or the write failed (the target is unchanged).</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var files = new OutputFiles();
        write(files.Create(path));
        files.Commit();
    }

    /// <summary>Starts a new output file. Its content goes to a temporary file until <see cref="Commit"/>.</summary>
    /// <param name="path">The target.</param>
    /// <param name="unixMode">The file's permissions on Unix (such as <see cref="UnixFileMode.UserRead"/> | <see cref="UnixFileMode.UserWrite"/> for a secret key), or <see langword="null"/> for the process's default.</param>
    /// <returns>A stream to write the content to; disposing it does not commit.</returns>
    /// <exception cref="IOException">The target is a directory, a device, a pipe or a socket, or it is already part of this set.</exception>
    public Stream Create(string path, UnixFileMode? unixMode = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ObjectDisposedException.ThrowIf(_done, this);
        var target = Resolve(path);
        CheckTarget(path, target);
        if (_staged.Exists(s => string.Equals(s.Target, target, StringComparison.Ordinal)))
        {
            throw new IOException($"'{path}' is given twice as an output; each output needs its own file.");
        }

        var directory = Path.GetDirectoryName(target)!;
        var temporary = Path.Combine(directory, $"{Prefix(Path.GetFileName(target))}{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 16 };
        if (unixMode is { } mode && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        FileStream stream;
        try
        {
            Directory.CreateDirectory(directory);
            RemoveStale(directory, Path.GetFileName(target));
            stream = new FileStream(temporary, options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var reason = e is UnauthorizedAccessException ? "permission denied" : e.Message.Replace(temporary, "its temporary file", StringComparison.Ordinal);
            throw new IOException($"'{path}' cannot be written (the folder '{directory}' does not take a new file: {reason})", e);
        }

        var staged = new Staged(path, target, temporary, stream);
        _staged.Add(staged);
        return staged.Writer;
    }

    /// <summary>
    /// Flushes every file to disk and renames each over its target. If a rename fails, the targets already replaced are
    /// restored and the exception is rethrown.
    /// </summary>
    /// <exception cref="IOException">A file could not be written or renamed; no target was changed.</exception>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        foreach (var s in _staged)
        {
            s.File.Flush(flushToDisk: true);
            s.File.Dispose();
        }

        var backups = new List<(string Target, string? Backup)>();
        try
        {
            foreach (var s in _staged)
            {
                string? backup = null;
                if (_staged.Count > 1 && File.Exists(s.Target))
                {
                    backup = s.Temporary + ".old";
                    File.Copy(s.Target, backup);
                }

                backups.Add((s.Target, backup));
                File.Move(s.Temporary, s.Target, overwrite: true);
            }
        }
        catch
        {
            for (var i = backups.Count - 1; i >= 0; i--)
            {
                var (target, backup) = backups[i];
                if (backup is not null && File.Exists(backup))
                {
                    File.Move(backup, target, overwrite: true);
                }
            }

            throw;
        }
        finally
        {
            foreach (var (_, backup) in backups)
            {
                DeleteQuietly(backup);
            }

            _done = true;
            DeleteTemporaries();
        }
    }

    /// <summary>Deletes the temporary files of an uncommitted set; every target stays as it was.</summary>
    public void Dispose()
    {
        if (!_done)
        {
            _done = true;
            DeleteTemporaries();
        }
    }

    private void DeleteTemporaries()
    {
        foreach (var s in _staged)
        {
            s.File.Dispose();
            DeleteQuietly(s.Temporary);
        }
    }

    private static void DeleteQuietly(string? path)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string Prefix(string name) => $".{name}.{Host}.";

    private static string Host { get; } = new string([.. Environment.MachineName.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')]);

    /// <summary>The file a path finally names: the path itself, or the end of its chain of symbolic links.</summary>
    private static string Resolve(string path)
    {
        var full = Path.GetFullPath(path);
        var info = new FileInfo(full);
        return info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } final ? Path.GetFullPath(final.FullName) : full;
    }

    private static void CheckTarget(string path, string target)
    {
        if (Directory.Exists(target))
        {
            throw new IOException($"'{path}' is a directory; give the path of a file to write.");
        }

        var kind = FileKindOf(target);
        if (kind is not null)
        {
            throw new IOException($"'{path}' is {kind}, not a regular file; refusing to replace it. Give the path of a file to write.");
        }
    }

    /// <summary>What a non-regular existing file is ("a character device", "a pipe"...), or null for a regular or absent file.</summary>
    private static string? FileKindOf(string path)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(path))
        {
            return null;
        }

        int mode;
        try
        {
            if (NativeMethods.Stat(path, out var status) != 0)
            {
                return null;
            }

            mode = status.Mode & 0xF000;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null; // a runtime without the shim: devices and pipes are not detected there
        }

        return mode switch
        {
            0x8000 => null,
            0x2000 => "a character device",
            0x6000 => "a block device",
            0x1000 => "a named pipe",
            0xC000 => "a socket",
            0x4000 => "a directory",
            _ => "not a regular file",
        };
    }

    /// <summary>Removes temporary files of <paramref name="name"/> left on this host by processes that have ended.</summary>
    private static void RemoveStale(string directory, string name)
    {
        var prefix = Prefix(name);
        foreach (var file in Directory.EnumerateFiles(directory, prefix + "*.tmp*"))
        {
            var rest = Path.GetFileName(file).AsSpan(prefix.Length);
            var dot = rest.IndexOf('.');
            if (dot > 0 && int.TryParse(rest[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid != Environment.ProcessId && !IsRunning(pid))
            {
                DeleteQuietly(file);
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private sealed record Staged(string Path, string Target, string Temporary, FileStream File)
    {
        public Stream Writer { get; } = new KeepOpenStream(File);
    }

    /// <summary>Forwards writes to the temporary file; disposing it flushes but keeps the file open for <see cref="Commit"/>.</summary>
    private sealed class KeepOpenStream(FileStream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);

        public override void WriteByte(byte value) => inner.WriteByte(value);

        protected override void Dispose(bool disposing)
        {
            if (disposing && inner.CanWrite)
            {
                inner.Flush();
            }

            base.Dispose(disposing);
        }
    }

    private static class NativeMethods
    {
        /// <summary>The runtime's own stat shim (System.Native, shipped with every .NET on Linux and macOS): only the mode is read.</summary>
        [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, out FileStatus status);

        /// <summary>The start of the shim's FileStatus (flags, mode), padded well past its full size.</summary>
        [StructLayout(LayoutKind.Sequential, Size = 512)]
        public struct FileStatus
        {
            public int Flags;
            public int Mode;
        }
    }
}
