using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Crm.WebHost.Hosting;

/// <summary>
/// The HTTP contract as an OpenAPI 3.1 document at <c>/openapi/v1.json</c>, in every environment (it describes a public
/// contract; the committed copy is <c>clients/openapi/crm.json</c>, which the TypeScript client is generated from), and
/// the interactive reference (Scalar) at <c>/scalar</c> in Development only. The packages' endpoints carry their own
/// names, summaries, tags and responses; this host adds how to authenticate: an API key, the admin UI's cookie, or a
/// chat visitor's bearer token. The document names no server: it is the same wherever the host runs.
/// </summary>
internal static class OpenApiSetup
{
    public const string DocumentPath = "/openapi/{documentName}.json";
    private const string ApiKey = "ApiKey";
    private const string Cookie = "Cookie";
    private const string VisitorToken = "VisitorToken";

    public static IServiceCollection AddCrmOpenApi(this IServiceCollection services) => services.AddOpenApi("v1", options =>
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Crm.Libraries",
                Version = "v1",
                Description = "Multi-channel support conversations and bulk email campaigns. Agents' and managers' endpoints take an X-Api-Key (or the admin UI's cookie); a chat visitor's take the conversation's visitor token.",
            };
            document.Servers = [];
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
            {
                [ApiKey] = new OpenApiSecurityScheme { Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "X-Api-Key", Description = "A key from Crm:ApiKeys, which names a role (Agent, Manager, Marketing)." },
                [Cookie] = new OpenApiSecurityScheme { Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Cookie, Name = "crm.auth", Description = "The admin UI's sign-in; state-changing calls also need the RequestVerificationToken header." },
                [VisitorToken] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "The visitorToken of a chat conversation (or access_token in the query, for EventSource)." },
            };
            return Task.CompletedTask;
        });
        // ASP.NET reads numbers from strings too, so its schemas say "integer or string": the contract answers numbers, and
        // a generated client should type them as numbers.
        options.AddSchemaTransformer((schema, _, _) =>
        {
            if (schema.Type is { } type && type.HasFlag(JsonSchemaType.String) && (type.HasFlag(JsonSchemaType.Integer) || type.HasFlag(JsonSchemaType.Number))
                && schema.Format is "int32" or "int64" or "double" or "float" or "decimal")
            {
                schema.Type = type & ~JsonSchemaType.String;
                schema.Pattern = null;
            }

            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (context.Description.RelativePath?.StartsWith("chat/conversations", StringComparison.Ordinal) == true)
            {
                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(VisitorToken, context.Document)] = [] }];
            }
            else if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
            {
                operation.Security =
                [
                    new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKey, context.Document)] = [] },
                    new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Cookie, context.Document)] = [] },
                ];
            }

            return Task.CompletedTask;
        });
    });

    public static void MapCrmOpenApi(this WebApplication app)
    {
        app.MapOpenApi(DocumentPath).AllowAnonymous();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference("/scalar").AllowAnonymous();
        }
    }
}
