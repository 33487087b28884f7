using Crm.Admin.Routing;
using System.Text.Json;
using Crm.Campaigns.Contacts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Crm.Admin.Pages.Contacts;

/// <summary>Contacts with a tag filter; managers and marketing can import CSV or JSON.</summary>
internal sealed class IndexModel(IContactDirectory contacts, ContactImporter importer, IAuthorizationService authorization, CrmAdminSite site) : PageModel
{
    /// <summary>The inbox pages are served and some inbox can send: a contact's address starts a new email.</summary>
    public bool CanStartEmail => site.HasConversations && HttpContext.RequestServices.GetService(typeof(Crm.Channels.Email.EmailInboxes)) is not null;

    private const long MaxUploadBytes = 8 * 1024 * 1024;

    [BindProperty(SupportsGet = true)]
    public string? Tag { get; set; }

    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    public ContactPage Result { get; private set; } = new([], 1, 50, 0);

    public ContactImportResult? ImportResult { get; private set; }

    public string? ImportError { get; private set; }

    public bool CanImport { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    /// <summary>Importing is marketing's: the policy the host named for bulk email decides.</summary>
    private async Task<bool> MayImportAsync() => (await authorization.AuthorizeAsync(User, site.Options.MarketingPolicy)).Succeeded;

    public async Task<IActionResult> OnPostAsync(IFormFile? file, CancellationToken cancellationToken)
    {
        if (!await MayImportAsync())
        {
            return Forbid();
        }

        if (file is null || file.Length == 0)
        {
            ImportError = "Choose a CSV or JSON file.";
        }
        else if (file.Length > MaxUploadBytes)
        {
            ImportError = $"The file is larger than {MaxUploadBytes / 1024 / 1024} MiB.";
        }
        else
        {
            try
            {
                await using var stream = file.OpenReadStream();
                var rows = file.FileName.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || file.ContentType.Contains("json", StringComparison.OrdinalIgnoreCase)
                    ? await JsonSerializer.DeserializeAsync<List<ContactImportRow?>>(stream, JsonSerializerOptions.Web, cancellationToken) ?? []
                    : await ContactCsv.ReadAsync(stream, cancellationToken);
                if (rows.Count > importer.MaxRows)
                {
                    ImportError = $"Import at most {importer.MaxRows} contacts at a time.";
                }
                else
                {
                    ImportResult = await importer.ImportAsync(rows, cancellationToken);
                }
            }
            catch (JsonException ex)
            {
                // The exception's own message names .NET types; where the file went wrong is what a person can act on.
                ImportError = $"The file is not a JSON array of contacts (at {ex.Path ?? "$"}, line {(ex.LineNumber ?? 0) + 1}).";
            }
            catch (FormatException ex)
            {
                ImportError = "The file could not be read: " + ex.Message;
            }
        }

        if (ImportError is not null)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        CanImport = await MayImportAsync();
        var tags = string.IsNullOrWhiteSpace(Tag) ? [] : new[] { Tag.Trim() };
        Result = await contacts.ListAsync(tags, Math.Clamp(PageNumber, 1, 1_000_000), 50, cancellationToken);
    }
}
