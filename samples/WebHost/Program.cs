using Crm.Channels.DependencyInjection;
using Crm.Channels.Endpoints;
using Crm.Storage.EfCore;
using Crm.WebHost.Hosting;
using Crm.WebHost.Security;
using Microsoft.Extensions.Diagnostics.HealthChecks;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddProblemDetails();
builder.Services.AddCrmStorage(builder.Configuration);
builder.Services.AddCrmChannels(builder.Configuration.GetSection(HostSettings.IngestionSection))
    .AddChat(builder.Configuration.GetSection(HostSettings.ChatSection));

builder.Services.AddCrmAuthentication();
builder.Services.AddCrmRateLimiting(builder.Configuration);
builder.Services.AddCors(options => options.AddPolicy("chat-widget", policy =>
{
    // The widget is embedded on customers' own sites: any origin by default, no credentials ever.
    var origins = builder.Configuration.GetSection(HostSettings.CorsAllowedOrigins).Get<string[]>();
    if (origins is { Length: > 0 })
    {
        policy.WithOrigins(origins);
    }
    else
    {
        policy.AllowAnyOrigin();
    }

    policy.WithMethods("POST").WithHeaders("Content-Type");
}));
builder.Services.AddHealthChecks().AddCheck<StoreHealthCheck>("store");

var app = builder.Build();

await app.Services.MigrateCrmDatabaseAsync();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseCors();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();

var channels = app.MapCrmChannels();
channels.Intake.RequireCors("chat-widget").RequireRateLimiting(RateLimitingSetup.IntakePolicy);
channels.Queries.RequireAuthorization(Roles.AgentsPolicy);

app.MapHealthChecks("/health", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions
{
    ResultStatusCodes = { [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable },
});

await app.RunAsync();

/// <summary>The sample host's entry point; public so tests can start it.</summary>
public partial class Program;
