using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans;

namespace OrleansCausal.Storage.Tests.Membership;

/// <summary>
/// A child process hosting one silo (<see cref="MembershipSilo"/>): it starts, activates <see cref="IWhereAmIGrain"/>
/// with the given key on itself, prints <c>ready SILO GRAIN_HOST</c> and runs until it is killed.
/// </summary>
public static class MembershipChildSilo
{
    public const string Command = "membership-silo";
    public const string Usage = "membership-silo CONNECTION_STRING CLUSTER_ID GRAIN_KEY";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 3)
        {
            Console.Error.WriteLine($"usage: {Usage}");
            return 2;
        }

        using var host = MembershipSilo.Build(args[0], args[1]);
        await host.StartAsync();
        var grainHost = await host.Services.GetRequiredService<IGrainFactory>().GetGrain<IWhereAmIGrain>(args[2]).WhereAmI();
        Console.Out.WriteLine($"ready {host.Address().ToParsableString()} {grainHost}");
        await Task.Delay(Timeout.Infinite);
        return 0;
    }
}
