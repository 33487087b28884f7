using System.ComponentModel.DataAnnotations;

namespace Crm.Samples.Telegram;

/// <summary>The bot the channel speaks for (<c>Crm:Telegram</c>).</summary>
public sealed class TelegramOptions
{
    /// <summary>The bot's token from BotFather: the Bot API's URLs carry it, so it is a secret.</summary>
    [Required]
    public string BotToken { get; set; } = "";

    /// <summary>
    /// The <c>secret_token</c> given to <c>setWebhook</c>: Telegram sends it back in <c>X-Telegram-Bot-Api-Secret-Token</c>
    /// on every update, and an update without it is refused (403). 16 to 256 of <c>A-Z a-z 0-9 _ -</c> (Telegram takes 1 to 256; a short one is guessable).
    /// </summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9_-]{16,256}$", ErrorMessage = "The webhook secret must be 16 to 256 of A-Z, a-z, 0-9, '_' and '-'.")]
    public string WebhookSecret { get; set; } = "";

    /// <summary>The Bot API's address (a test points it at a local fake).</summary>
    [Required]
    public Uri ApiBaseUrl { get; set; } = new("https://api.telegram.org/");

    /// <summary>The largest update accepted, in bytes (Telegram's text updates are a few KB).</summary>
    [Range(1_024, 10 * 1024 * 1024)]
    public int MaxUpdateBytes { get; set; } = 256 * 1024;
}
