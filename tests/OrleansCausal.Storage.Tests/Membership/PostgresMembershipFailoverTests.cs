using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans;
using Orleans.Runtime;
using OrleansCausal.Clustering.Postgres.Hosting;
using OrleansCausal.Storage.Tests.Processes;
using OrleansCausal.Tests.Shared;
using Xunit.Abstractions;

namespace OrleansCausal.Storage.Tests.Membership;

/// <summary>
/// Two real silos of one region clustered through <c>UsePostgresClustering</c> on one database: one in this process,
/// one in a child process that is killed with SIGKILL (no shutdown, no last write to the table).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresMembershipFailoverTests(PostgresServer server, ITestOutputHelper output) : MembershipTestBase(server)
{
    private static readonly TimeSpan FailoverBudget = TimeSpan.FromSeconds(20);

    [Fact]
    public void LanMembershipTiming_WhenASiloHangs_SuspectsItWithinTheFailoverBudget() =>
        Assert.True(LanMembershipTiming.WorstCaseSuspicion < FailoverBudget, $"worst case {LanMembershipTiming.WorstCaseSuspicion} vs budget {FailoverBudget}");

    [Fact]
    public async Task KillSilo_WhenOneOfTwoIsKilled_SurvivorDeclaresItDeadAndServesItsGrainWithinTwentySeconds()
    {
        var survivor = MembershipSilo.Build(Database, Region);
        await survivor.StartAsync(Ct);
        try
        {
            await using var child = ChildProcess.Start(MembershipChildSilo.Command, Database, Region, "moves");
            var (victim, grainHost) = await ReadReadyAsync(child);
            Assert.Equal(victim, grainHost);
            var membership = survivor.Services.GetRequiredService<IClusterMembershipService>();
            await WaitForStatusAsync(membership, victim, SiloStatus.Active, Timeout, "after both silos started");
            await WaitForStatusAsync(membership, survivor.Address(), SiloStatus.Active, Timeout, "after both silos started");
            Assert.Equal(
                [(survivor.Address(), SiloStatus.Active), (victim, SiloStatus.Active)],
                await TableStatusesAsync([survivor.Address(), victim]));
            var grain = survivor.Services.GetRequiredService<IGrainFactory>().GetGrain<IWhereAmIGrain>("moves");
            Assert.Equal(victim.ToParsableString(), await grain.WhereAmI());

            var clock = Stopwatch.StartNew();
            child.Kill();
            await WaitForStatusAsync(membership, victim, SiloStatus.Dead, FailoverBudget, "after kill -9 of the other silo");
            var declaredDead = clock.Elapsed;
            var servedBy = await grain.WhereAmI().WaitAsync(FailoverBudget - clock.Elapsed + TimeSpan.FromSeconds(1));
            var served = clock.Elapsed;

            output.WriteLine($"declared dead after {declaredDead.TotalSeconds:F1} s, grain served by the survivor after {served.TotalSeconds:F1} s");
            Assert.Equal(survivor.Address().ToParsableString(), servedBy);
            Assert.True(served < FailoverBudget, $"the survivor served the grain {served} after the kill; expected within {FailoverBudget}");
            Assert.Equal(
                [(survivor.Address(), SiloStatus.Active), (victim, SiloStatus.Dead)],
                await TableStatusesAsync([survivor.Address(), victim]));
        }
        finally
        {
            await survivor.StopAsync(CancellationToken.None);
            survivor.Dispose();
        }
    }

    private static async Task<(SiloAddress Silo, SiloAddress GrainHost)> ReadReadyAsync(ChildProcess child)
    {
        using var cancel = new CancellationTokenSource(Timeout);
        try
        {
            await foreach (var line in child.Lines.ReadAllAsync(cancel.Token))
            {
                if (line.Split(' ') is ["ready", var silo, var grainHost])
                {
                    return (SiloAddress.FromParsableString(silo), SiloAddress.FromParsableString(grainHost));
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"child silo start: expected a 'ready' line within {Timeout}, saw none. stderr: {child.Errors}");
        }

        throw new InvalidOperationException($"child silo start: the child exited without a 'ready' line. stderr: {child.Errors}");
    }

    /// <summary>Waits on the silo's own membership updates (the signal), up to <paramref name="timeout"/>.</summary>
    private static async Task WaitForStatusAsync(IClusterMembershipService membership, SiloAddress silo, SiloStatus expected, TimeSpan timeout, string phase)
    {
        var last = membership.CurrentSnapshot;
        if (last.GetSiloStatus(silo) == expected)
        {
            return;
        }

        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(cancel.Token))
            {
                last = snapshot;
                if (snapshot.GetSiloStatus(silo) == expected)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
        }

        throw new TimeoutException(
            $"{phase}: expected {silo} to be {expected} within {timeout}; the last view was " +
            string.Join(", ", last.Members.Values.Select(member => $"{member.SiloAddress} {member.Status}")));
    }

    /// <summary>What our table itself says about the silos (read through a new table instance).</summary>
    private async Task<List<(SiloAddress, SiloStatus)>> TableStatusesAsync(SiloAddress[] silos)
    {
        var data = await NewTable().ReadAllAsync(Ct);
        return silos.Select(silo => (silo, data.TryGet(silo)?.Item1.Status ?? SiloStatus.None)).ToList();
    }
}
