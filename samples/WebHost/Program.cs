using Crm.Hosting;
using Crm.Security;
using Crm.WebHost.Hosting;
using Crm.WebHost.Security;
using Microsoft.Extensions.Diagnostics.HealthChecks;

if (args is ["hash-password", ..])
{
    // Makes a value for Crm:Users:{name}:PasswordHash from a password read on standard input.
    Console.Error.Write("Password: ");
    Console.WriteLine(PasswordHash.Create(Console.ReadLine() ?? ""));
    return;
}

var builder = WebApplication.CreateBuilder(args);
string? scratch = null;
if (System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name == "GetDocument.Insider")
{
    // Build-time OpenAPI generation starts this program to read its endpoints: it gets a throw-away database and
    // folders, never the project directory's, deleted when it stops.
    scratch = Directory.CreateTempSubdirectory("crm-openapi-").FullName;
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Crm:Storage:Provider"] = "Sqlite",
        ["ConnectionStrings:Crm"] = $"Data Source={Path.Combine(scratch, "crm.db")}",
        ["Crm:Smtp:PickupDirectory"] = Path.Combine(scratch, "outbox"),
        ["Crm:Attachments:Directory"] = Path.Combine(scratch, "attachments"),
    });
}

// A second line only: every background loop in the packages catches, logs and backs off by itself (each is tested with
// faults injected); should one ever let an exception escape, the rest of the host keeps serving instead of stopping.
builder.Services.Configure<HostOptions>(o => o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.Ignore);
builder.Services.AddProblemDetails();
builder.Services.AddCrmStorage(builder.Configuration);
var channels = builder.Services.AddCrmChannels(builder.Configuration.GetSection(HostSettings.IngestionSection))
    .AddChat(builder.Configuration.GetSection(HostSettings.ChatSection));
var whatsApp = builder.Configuration.GetSection(HostSettings.WhatsAppSection);
if (!string.IsNullOrEmpty(whatsApp["AuthToken"]))
{
    channels.AddWhatsApp(whatsApp);
}

channels.AddEmail(builder.Configuration.GetSection(HostSettings.EmailSection));
channels.AddCrmEmailReplies(builder.Configuration);
channels.ConfigureAttachments(builder.Configuration.GetSection(HostSettings.AttachmentsSection).Bind);
channels.ConfigureReplyOutbox(builder.Configuration.GetSection(HostSettings.OutboxSection).Bind);
var imap = builder.Configuration.GetSection(HostSettings.ImapSection);
if (!string.IsNullOrEmpty(imap["Host"]))
{
    channels.AddImapMailbox(imap);
}

builder.Services.AddCrmForwardedHeaders(builder.Configuration);
builder.Services.AddCrmCampaigns(builder.Configuration);
// Every CRM event to the endpoints a Manager subscribes (POST /webhooks/endpoints); the outbox lives in the CRM's database.
builder.Services.AddCrmWebhooks(builder.Configuration.GetSection(HostSettings.WebhooksSection));

builder.Services.AddCrmAuthentication(builder.Configuration);
builder.Services.AddSingleton<UserDirectory>();
builder.Services.AddRazorPages(); // the sign-in pages; the admin is the Crm.Admin package
builder.Services.AddCrmAdmin();
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

    // GET and Authorization for the visitor's transcript and event stream (bearer visitor token, never cookies).
    policy.WithMethods("GET", "POST").WithHeaders("Content-Type", "Authorization", "Last-Event-ID");
}));
builder.Services.AddHealthChecks().AddCrmStoreHealthCheck().AddCrmChannelsHealthChecks().AddCrmCampaignsHealthChecks().AddCrmWebhooksHealthChecks();
builder.Services.AddCrmOpenApi();
builder.Services.AddExceptionHandler<Crm.Storage.CrmStoreUnavailableExceptionHandler>(); // the admin pages; the CRM endpoints answer 503 by themselves

var app = builder.Build();

await app.Services.MigrateCrmDatabaseAsync();
if (scratch is not null)
{
    app.Lifetime.ApplicationStopped.Register(() => Directory.Delete(scratch, recursive: true));
}

if (ForwardedHeadersSetup.HasTrustedProxies(app.Configuration))
{
    app.UseForwardedHeaders();
}

// Read every user now: a mistyped role stops the host here, not at the first sign-in.
app.Services.GetRequiredService<UserDirectory>();

app.UseSecurityHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseCors();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();

app.MapRazorPages();
app.MapCrmAdmin("/admin", options => options.SignOutPath = "/logout");
app.MapCrmChatWidget();

var channelEndpoints = app.MapCrmChannels();
channelEndpoints.Intake.RequireCors("chat-widget").RequireRateLimiting(RateLimitingSetup.IntakePolicy);
channelEndpoints.Agents.RequireAuthorization(CrmPolicies.Agents);
channelEndpoints.Conversations.RequireCors("chat-widget").RequireRateLimiting(RateLimitingSetup.ConversationPolicy);
// Signed attachment links (visitors' pictures, Twilio fetching media): public, so rate-limited per client like the transcript.
channelEndpoints.Downloads.RequireRateLimiting(RateLimitingSetup.ConversationPolicy);

var bulkEmail = app.MapBulkEmail();
bulkEmail.Campaigns.RequireAuthorization(CrmPolicies.Marketing);
bulkEmail.ContactsWrite.RequireAuthorization(CrmPolicies.Marketing);
bulkEmail.ContactsRead.RequireAuthorization(CrmPolicies.Agents);
bulkEmail.Subscriptions.RequireCors("chat-widget").RequireRateLimiting(RateLimitingSetup.SubscribePolicy);

app.MapCrmWebhooks().RequireAuthorization(CrmPolicies.Managers);

app.MapCrmOpenApi();
// Everything at /health; /health/live for a liveness probe (restart when a loop is dead), /health/ready for a
// readiness probe (stop routing while the store or the mail server cannot serve). Degraded answers 200 everywhere.
foreach (var (path, tag) in new[] { ("/health", (string?)null), ("/health/live", CrmHealthCheckTags.Live), ("/health/ready", CrmHealthCheckTags.Ready) })
{
    app.MapHealthChecks(path, new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions
    {
        Predicate = check => tag is null || check.Tags.Contains(tag),
        ResultStatusCodes = { [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable },
        ResponseWriter = HealthResponse.WriteAsync,
    });
}

await app.RunAsync();

/// <summary>The sample host's entry point; public so tests can start it.</summary>
public partial class Program;
