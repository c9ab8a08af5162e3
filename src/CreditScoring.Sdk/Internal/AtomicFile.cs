namespace CreditScoring.Sdk.Internal;

/// <summary>Writes a file so that readers see the old content or the new, never a partial file.</summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="bytes"/> to a unique temporary file beside <paramref name="path"/> and moves it over the target; the temporary file never outlives a failure.</summary>
    public static void WriteAllBytes(string path, byte[] bytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
