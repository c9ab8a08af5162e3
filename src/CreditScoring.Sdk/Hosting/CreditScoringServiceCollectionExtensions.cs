using System.Diagnostics.Metrics;
using CreditScoring.Sdk.Hosting;
using CreditScoring.Sdk.Scoring;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a credit model and its thread-safe scorer.</summary>
public static partial class CreditScoringServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="CreditModel"/> and <see cref="ICreditScorer"/> as singletons, with
    /// <see cref="CreditScoringOptions"/> configured elsewhere (e.g. <c>services.Configure&lt;CreditScoringOptions&gt;(...)</c>)
    /// and validated when the host starts: the model path is required, must exist and must load.
    /// Calling it more than once is harmless.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>The options builder, for further configuration.</returns>
    public static OptionsBuilder<CreditScoringOptions> AddCreditScoring(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptionsWithValidateOnStart<CreditScoringOptions, CreditScoringOptionsValidator>();
        services.TryAddSingleton<HostedModel>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CreditScoringOptions>, CreditScoringOptionsFileValidator>());
        services.TryAddSingleton(static sp => new CreditScoringMetrics(sp.GetService<IMeterFactory>()?.Create(CreditScoringMetrics.MeterName) ?? new Meter(CreditScoringMetrics.MeterName)));
        services.TryAddSingleton(static sp =>
        {
            var options = sp.GetRequiredService<IOptions<CreditScoringOptions>>().Value;
            var model = sp.GetRequiredService<HostedModel>().Get(options);
            var logger = sp.GetService<ILoggerFactory>()?.CreateLogger("CreditScoring.Sdk.Hosting") ?? NullLogger.Instance;
            LogModelLoaded(logger, options.ModelPath!, model.Metadata.Learner, model.Input.Count, model.Metadata.TrainedAt, model.Decision.Threshold);
            return model;
        });
        services.TryAddSingleton<ICreditScorer>(static sp =>
        {
            var options = sp.GetRequiredService<IOptions<CreditScoringOptions>>().Value;
            var scorer = sp.GetRequiredService<CreditModel>().CreateScorer(options.ToScorerOptions());
            return new InstrumentedScorer(scorer, sp.GetRequiredService<CreditScoringMetrics>());
        });
        return builder;
    }

    /// <summary>Registers the model and scorer, configuring the options in code.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets <see cref="CreditScoringOptions.ModelPath"/> and the rest.</param>
    /// <returns>The options builder.</returns>
    public static OptionsBuilder<CreditScoringOptions> AddCreditScoring(this IServiceCollection services, Action<CreditScoringOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddCreditScoring().Configure(configure);
    }

    /// <summary>Registers the model and scorer, binding the options to a configuration section (conventionally <c>"CreditScoring"</c>).</summary>
    /// <param name="services">The services.</param>
    /// <param name="section">The section, e.g. <c>configuration.GetSection("CreditScoring")</c>.</param>
    /// <returns>The options builder.</returns>
    public static OptionsBuilder<CreditScoringOptions> AddCreditScoring(this IServiceCollection services, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return services.AddCreditScoring().Bind(section);
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Loaded credit model {Path}: {Learner}, {Inputs} inputs, trained {TrainedAt:O}, decline at PD >= {Threshold}.")]
    private static partial void LogModelLoaded(ILogger logger, string path, string learner, int inputs, DateTimeOffset trainedAt, double threshold);
}
