namespace CreditScoring.Sdk.Tracking;

/// <summary>What kind of tracking error occurred: MLflow's error codes, so that a server can answer as MLflow does.</summary>
public enum TrackingErrorCode
{
    /// <summary>A name, value, size or expression breaks a rule (MLflow <c>INVALID_PARAMETER_VALUE</c>, HTTP 400).</summary>
    InvalidParameterValue,

    /// <summary>The experiment, run or model asked for does not exist (MLflow <c>RESOURCE_DOES_NOT_EXIST</c>, HTTP 404).</summary>
    ResourceDoesNotExist,

    /// <summary>The name is taken (MLflow <c>RESOURCE_ALREADY_EXISTS</c>, HTTP 400).</summary>
    ResourceAlreadyExists,

    /// <summary>The operation does not fit the object's state, such as logging to a deleted run (MLflow <c>INVALID_STATE</c>, HTTP 400).</summary>
    InvalidState,
}

/// <summary>
/// A tracking or registry request that breaks a rule or names what does not exist. The message says what and where; the
/// store is unchanged.
/// </summary>
public sealed class TrackingException : CreditScoringException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="code">The kind of error.</param>
    /// <param name="message">What was wrong, where, and what was expected.</param>
    public TrackingException(TrackingErrorCode code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>The kind of error.</summary>
    public TrackingErrorCode Code { get; }

    /// <summary>MLflow's name of <see cref="Code"/>, as its REST API reports it (<c>error_code</c>).</summary>
    public string MlflowErrorCode => Code switch
    {
        TrackingErrorCode.ResourceDoesNotExist => "RESOURCE_DOES_NOT_EXIST",
        TrackingErrorCode.ResourceAlreadyExists => "RESOURCE_ALREADY_EXISTS",
        TrackingErrorCode.InvalidState => "INVALID_STATE",
        _ => "INVALID_PARAMETER_VALUE",
    };

    internal static TrackingException Invalid(string message) => new(TrackingErrorCode.InvalidParameterValue, message);
}
