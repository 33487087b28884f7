using Crm.Campaigns;

namespace Crm.WebHost.Hosting;

internal static class CampaignsSetup
{
    /// <summary>
    /// Campaign settings from <c>Crm:Campaigns</c>, links from <c>Crm:Tracking</c>, and the sender: SMTP when
    /// <c>Crm:Smtp:Host</c> is set, otherwise <c>.eml</c> files in <c>Crm:Smtp:PickupDirectory</c> (default <c>outbox</c>).
    /// </summary>
    public static IServiceCollection AddCrmCampaigns(this IServiceCollection services, IConfiguration configuration)
    {
        var tracking = configuration.GetSection("Crm:Tracking");
        var bulkEmail = services.AddBulkEmail(configuration.GetSection("Crm:Campaigns"));
        services.PostConfigure<BulkEmailOptions>(options => options.PublicBaseUrl = tracking["PublicBaseUrl"] ?? options.PublicBaseUrl);
        services.PostConfigure<Crm.Campaigns.Tracking.TrackingOptions>(options => options.SigningKey = tracking["SigningKey"] ?? options.SigningKey);

        var smtp = configuration.GetSection("Crm:Smtp");
        if (!string.IsNullOrEmpty(smtp["Host"]))
        {
            bulkEmail.UseSmtp(smtp);
        }
        else
        {
            var directory = smtp["PickupDirectory"] ?? "outbox";
            bulkEmail.UsePickupDirectory(o => o.Directory = directory);
        }

        return services;
    }
}
