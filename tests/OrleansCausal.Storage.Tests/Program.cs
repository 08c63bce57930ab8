using OrleansCausal.Storage.Tests.Membership;
using OrleansCausal.Storage.Tests.Processes;

namespace OrleansCausal.Storage.Tests;

/// <summary>The entry point used when the test assembly runs as a child process of a test (not by the test runner).</summary>
public static class Program
{
    public static Task<int> Main(string[] args) =>
        args switch
        {
            [ChildWriter.Command, ..] => ChildWriter.RunAsync(args[1..]),
            [MembershipChildSilo.Command, ..] => MembershipChildSilo.RunAsync(args[1..]),
            _ => Task.FromResult(Usage()),
        };

    private static int Usage()
    {
        Console.Error.WriteLine($"usage: {ChildWriter.Usage}\n       {MembershipChildSilo.Usage}");
        return 2;
    }
}
