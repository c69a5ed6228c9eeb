namespace Daos;

/// <summary>
/// The one exception type Daos.NET throws for faults a caller must handle. <see cref="Error"/> carries the DAOS
/// error number; the message says what was wrong in terms of the caller's input.
/// </summary>
public class DaosException : Exception
{
    /// <summary>Creates an exception for <paramref name="error"/> with a message naming what went wrong.</summary>
    public DaosException(DaosError error, string message)
        : base(Format(error, message))
    {
        Error = error;
    }

    /// <summary>Creates an exception for <paramref name="error"/> caused by <paramref name="innerException"/>.</summary>
    public DaosException(DaosError error, string message, Exception? innerException)
        : base(Format(error, message), innerException)
    {
        Error = error;
    }

    /// <summary>Creates an exception for <see cref="DaosError.Miscellaneous"/>.</summary>
    public DaosException()
        : this(DaosError.Miscellaneous, "unspecified failure")
    {
    }

    /// <summary>Creates an exception for <see cref="DaosError.Miscellaneous"/> with a message.</summary>
    public DaosException(string message)
        : this(DaosError.Miscellaneous, message)
    {
    }

    /// <summary>Creates an exception for <see cref="DaosError.Miscellaneous"/> caused by another.</summary>
    public DaosException(string message, Exception? innerException)
        : this(DaosError.Miscellaneous, message, innerException)
    {
    }

    /// <summary>The DAOS error number of this failure.</summary>
    public DaosError Error { get; }

    private static string Format(DaosError error, string message) =>
        $"{message} ({error.ToDerName()}({error.ToReturnCode()}))";
}
