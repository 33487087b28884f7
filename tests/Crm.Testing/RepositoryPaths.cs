namespace Crm.Testing;

/// <summary>Finds folders of this repository from a test's output directory.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string WebHostProject => Path.Combine(Root, "samples", "WebHost");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Crm.Libraries.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Crm.Libraries.sln not found above " + AppContext.BaseDirectory);
    }
}
