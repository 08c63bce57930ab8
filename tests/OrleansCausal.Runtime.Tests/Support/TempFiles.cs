namespace OrleansCausal.Runtime.Tests.Support;

/// <summary>Fresh paths for SQLite files under one temp directory per test run (removed at process exit).</summary>
public static class TempFiles
{
    private static readonly string Root = CreateRoot();

    public static string NewDatabasePath(string name = "silo") => Path.Combine(Root, $"{name}-{Guid.NewGuid():N}", "region.db");

    private static string CreateRoot()
    {
        var root = Path.Combine(Path.GetTempPath(), $"oc-runtime-tests-{Environment.ProcessId}");
        Directory.CreateDirectory(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        return root;
    }
}
