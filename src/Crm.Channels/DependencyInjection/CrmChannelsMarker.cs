namespace Crm.Channels.DependencyInjection;

/// <summary>Marks that <c>AddCrmChannels()</c> was called, so <c>MapCrmChannels()</c> can say so when it was not.</summary>
internal sealed class CrmChannelsMarker;
