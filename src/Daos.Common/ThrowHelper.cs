using System.Diagnostics.CodeAnalysis;

namespace Daos;

/// <summary>
/// Throws kept out of line so the methods that call them stay small enough to inline on hot paths.
/// </summary>
public static class ThrowHelper
{
    /// <summary>Throws <see cref="DaosException"/> with <paramref name="error"/>.</summary>
    [DoesNotReturn]
    public static void Throw(DaosError error, string message) => throw new DaosException(error, message);

    /// <summary>Throws <see cref="DaosException"/> with <see cref="DaosError.InvalidArgument"/>.</summary>
    [DoesNotReturn]
    public static void InvalidArgument(string message) => throw new DaosException(DaosError.InvalidArgument, message);

    /// <summary>Throws <see cref="DaosException"/> with <see cref="DaosError.Corrupted"/>.</summary>
    [DoesNotReturn]
    public static void Corrupted(string message) => throw new DaosException(DaosError.Corrupted, message);

    /// <summary>Returns (for use in expressions) a <see cref="DaosException"/> with <paramref name="error"/>.</summary>
    public static DaosException Create(DaosError error, string message) => new(error, message);
}
