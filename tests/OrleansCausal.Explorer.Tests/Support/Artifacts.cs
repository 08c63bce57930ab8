namespace OrleansCausal.Explorer.Tests.Support;

/// <summary>Where tests write their artifacts (screenshots): <c>TestResults/explorer</c> under this test project
/// (git-ignored), found by walking up from the test assembly to the project file.</summary>
public static class Artifacts
{
    public static string Directory { get; } = Locate();

    public static string PathFor(string fileName) => Path.Combine(Directory, fileName);

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansCausal.Explorer.Tests.csproj")))
            {
                var path = Path.Combine(dir.FullName, "TestResults", "explorer");
                System.IO.Directory.CreateDirectory(path);
                return path;
            }
        }

        throw new InvalidOperationException($"The test project directory was not found above {AppContext.BaseDirectory}.");
    }
}
