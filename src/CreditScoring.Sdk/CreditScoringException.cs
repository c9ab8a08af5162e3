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

/// <summary>
/// The training data cannot give a model as asked: a single class, no features, too few rows of a class for the folds or
/// the resampler's neighbors, a split that leaves one side empty. The message says what the data lacks.
/// </summary>
public sealed class TrainingDataException : CreditScoringException
{
    /// <summary>Creates the exception.</summary>
    public TrainingDataException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What the data lacks.</param>
    public TrainingDataException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What the data lacks.</param>
    /// <param name="innerException">The cause.</param>
    public TrainingDataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>An applicant's input cannot be scored: a column is missing, has the wrong type, or holds a rejected category.</summary>
public sealed class ScoringInputException : CreditScoringException
{
    /// <summary>Creates the exception.</summary>
    public ScoringInputException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public ScoringInputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ScoringInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a column.</summary>
    /// <param name="column">The column, or <see langword="null"/>.</param>
    /// <param name="message">The message.</param>
    public ScoringInputException(string? column, string message)
        : base(message)
    {
        Column = column;
    }

    /// <summary>The column at fault, or <see langword="null"/>.</summary>
    public string? Column { get; }
}

/// <summary>
/// The SDK was told something it cannot work with: a text that does not follow its grammar (a cost term, a threshold
/// objective, a learner option, a pipeline step), an unknown name (a learner, a resampler, a custom feature), an option
/// out of its range, a feature step naming a column the data does not have or of the wrong kind, a key used for what it
/// cannot do. The message quotes what was given and says what is expected.
/// </summary>
public sealed class ConfigurationException : CreditScoringException
{
    /// <summary>Creates the exception.</summary>
    public ConfigurationException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was given and what is expected.</param>
    public ConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was given and what is expected.</param>
    /// <param name="innerException">The cause.</param>
    public ConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
