namespace CreditScoring.Sdk;

/// <summary>
/// Base class of the exceptions the SDK raises for bad data, bad model files and bad configuration.
/// The message always says what was wrong, where, and what was expected.
/// </summary>
public class CreditScoringException : Exception
{
    /// <summary>Creates an exception with no message.</summary>
    public CreditScoringException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What was wrong, where, and what was expected.</param>
    public CreditScoringException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    /// <param name="message">What was wrong, where, and what was expected.</param>
    /// <param name="innerException">The underlying exception.</param>
    public CreditScoringException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
