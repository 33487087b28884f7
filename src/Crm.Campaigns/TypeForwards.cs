using System.Runtime.CompilerServices;

// The Liquid sandbox moved to the shared kernel (inbox signatures render in it too); these types keep their names, and
// code compiled against an earlier Crm.Campaigns finds them there.
[assembly: TypeForwardedTo(typeof(Crm.Campaigns.TemplateLimits))]
[assembly: TypeForwardedTo(typeof(Crm.Campaigns.Rendering.TemplateRenderException))]
