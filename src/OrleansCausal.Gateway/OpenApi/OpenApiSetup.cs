using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using OrleansCausal.Gateway.Auth;

namespace OrleansCausal.Gateway.OpenApi;

/// <summary>
/// The OpenAPI document (<c>/openapi/v1.json</c>): declares the Bearer API-key scheme and requires it on every
/// operation whose endpoint requires the API-key policy, and writes server URLs without a trailing slash. Operations,
/// summaries and responses come from the endpoints themselves (typed results, <c>WithName</c>, <c>WithSummary</c>).
/// </summary>
public static class OpenApiSetup
{
    public const string SecuritySchemeName = "ApiKey";

    public static IServiceCollection AddGatewayOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            // The document describes the service's API; the operator pages (/dashboard, /metrics) are not part of it.
            options.ShouldInclude = description =>
                description.RelativePath is not { } path ||
                !(path.StartsWith("dashboard", StringComparison.OrdinalIgnoreCase) || path.StartsWith("metrics", StringComparison.OrdinalIgnoreCase));
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "OrleansCausal";
                document.Info.Description = "A multi-region causal key-value service: records of dotted bins, read and written with a causal context.";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[SecuritySchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An API key configured under Auth:ApiKeys, sent as 'Authorization: Bearer KEY'.",
                };
                foreach (var server in document.Servers ?? [])
                {
                    server.Url = server.Url?.TrimEnd('/');
                }

                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var policies = context.Description.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>();
                if (policies.Any(p => p.Policy == ApiKeyAuthentication.Policy))
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement
                    {
                        [new OpenApiSecuritySchemeReference(SecuritySchemeName, context.Document)] = [],
                    });
                }

                return Task.CompletedTask;
            });
        });
}
