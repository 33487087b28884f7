using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Crm.Storage.EfCore.Campaigns.Entities;

/// <summary>Maps <see cref="CampaignLinkClickRecord"/> to <c>campaign_link_clicks</c>.</summary>
internal sealed class CampaignLinkClickRecordConfiguration : IEntityTypeConfiguration<CampaignLinkClickRecord>
{
    public void Configure(EntityTypeBuilder<CampaignLinkClickRecord> click)
    {
        click.ToTable("campaign_link_clicks");
        // One row per recipient and link: the first insert is the unique click, later clicks increment it.
        click.HasKey(c => new { c.CampaignId, c.LinkIndex, c.RecipientId });
        click.Property(c => c.CampaignId).HasColumnName("campaign_id");
        click.Property(c => c.LinkIndex).HasColumnName("link_index");
        click.Property(c => c.RecipientId).HasColumnName("recipient_id");
        click.Property(c => c.Clicks).HasColumnName("clicks");
        click.Property(c => c.FirstClickedAt).HasColumnName("first_clicked_at");
        click.HasOne<CampaignRecord>().WithMany().HasForeignKey(c => c.CampaignId).OnDelete(DeleteBehavior.Cascade);
        click.HasOne<CampaignRecipientRecord>().WithMany().HasForeignKey(c => c.RecipientId).OnDelete(DeleteBehavior.NoAction);
    }
}
