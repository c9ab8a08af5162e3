using Microsoft.Extensions.Options;

namespace CreditScoring.Sdk.Internal;

/// <summary>
/// Runs an options validator outside dependency injection, so builder users get the same aggregated message as hosts,
/// as a <see cref="ConfigurationException"/> (the options framework's exception is its inner exception).
/// </summary>
internal static class OptionsValidation
{
    public static void ThrowIfInvalid<TOptions>(IValidateOptions<TOptions> validator, TOptions options)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = validator.Validate(typeof(TOptions).Name, options);
        if (result.Failed)
        {
            var failures = new OptionsValidationException(typeof(TOptions).Name, typeof(TOptions), result.Failures);
            throw new ConfigurationException(failures.Message, failures);
        }
    }
}
