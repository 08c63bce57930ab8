using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Examples.Compliance;
using OrleansCausal.Runtime.Client;
using OrleansCausal.Runtime.Tests.Support;

namespace OrleansCausal.Runtime.Tests.Client;

public sealed class ComplianceRegion : IAsyncLifetime
{
    public RegionCluster Region { get; private set; } = null!;

    public async Task InitializeAsync() => Region = await RegionCluster.StartAsync(InMemoryStores.Create());

    public async Task DisposeAsync() => await Region.DisposeAsync();
}

/// <summary>The compliance-status grain, co-hosted with the record grains it calls in-process, and the typed client.</summary>
public sealed class ComplianceStatusTests(ComplianceRegion fixture) : IClassFixture<ComplianceRegion>
{
    private RegionCluster Region => fixture.Region;

    private ICausalClient Client => Region.Cluster.GetActiveSilos().First().SiloHost.Services.GetRequiredService<ICausalClient>();

    private IComplianceStatusGrain Subject(string subject) => Region.Grains.GetGrain<IComplianceStatusGrain>(subject);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ConcurrentDecisions_ShowFailedWhateverTheOrder(bool failFirst)
    {
        var subject = $"subject-1-{failFirst}";
        var opened = await Subject(subject).OpenAsync();
        Assert.Equal(ComplianceStatus.Pending, opened.Current!.Status);

        // Two workers (say, in two regions cut off from each other) decided on the same pending state: each writes
        // its decision with the context of that read, so neither supersedes the other.
        var failed = new ComplianceStatus(ComplianceStatus.Failed, "sanctions hit", DateTimeOffset.UnixEpoch);
        var completed = new ComplianceStatus(ComplianceStatus.Completed, null, DateTimeOffset.UnixEpoch.AddHours(1));
        foreach (var decision in failFirst ? new[] { failed, completed } : [completed, failed])
        {
            await Client.PutAsync(ComplianceStatusGrain.Namespace, subject, decision, opened.Context);
        }

        var view = await Subject(subject).GetAsync();
        Assert.Equal(ComplianceStatus.Failed, view.Current!.Status);
        Assert.Equal("sanctions hit", view.Current.Reason);
        Assert.Equal([ComplianceStatus.Completed, ComplianceStatus.Failed], view.Concurrent.Select(s => s.Status).Order().ToArray());
    }

    [Fact]
    public async Task Advance_Downwards_IsRefusedAndWritesNothing()
    {
        var opened = await Subject("subject-2").OpenAsync();
        var failed = await Subject("subject-2").AdvanceAsync(ComplianceStatus.Failed, "expired passport", opened.Context);

        var after = await Subject("subject-2").AdvanceAsync(ComplianceStatus.Completed, null, failed.Context);

        Assert.Equal(ComplianceStatus.Failed, after.Current!.Status);
        Assert.Single(after.Concurrent);
        Assert.Equal(failed.Context.ToString(), after.Context.ToString());
    }

    [Fact]
    public async Task Complete_WithContextOfFullRead_LeavesOneStatus()
    {
        var opened = await Subject("subject-3").OpenAsync();

        var completed = await Subject("subject-3").AdvanceAsync(ComplianceStatus.Completed, null, opened.Context);

        Assert.Equal(ComplianceStatus.Completed, Assert.Single(completed.Concurrent).Status);
    }

    [Fact]
    public async Task Advance_ToUnknownStatus_IsRefused()
    {
        var opened = await Subject("subject-4").OpenAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => Subject("subject-4").AdvanceAsync("approved-ish", null, opened.Context));
    }

    [Fact]
    public async Task CausalClient_RefusesContextOfAnotherRecord()
    {
        var a = await Client.PutAsync("default", "a", new { n = 1 });

        await Assert.ThrowsAsync<ArgumentException>(() => Client.PutAsync("default", "b", new { n = 2 }, a.Context));
        var b = await Client.GetAsync<Dictionary<string, int>>("default", "b");

        Assert.False(b.Found);
        Assert.True(b.Context.IsEmpty);
    }

    [Fact]
    public async Task CausalClient_TypedRoundTripAndDelete()
    {
        var written = await Client.PutAsync("default", "typed", new ComplianceStatus("pending", null, DateTimeOffset.UnixEpoch));
        var read = await Client.GetAsync<ComplianceStatus>("default", "typed", written.Context);
        var afterDelete = await Client.DeleteAsync("default", "typed", read.Context);
        var gone = await Client.GetAsync<ComplianceStatus>("default", "typed");

        Assert.Equal(new ComplianceStatus("pending", null, DateTimeOffset.UnixEpoch), read.Value);
        Assert.Single(read.Siblings);
        Assert.False(gone.Found);
        Assert.False(afterDelete.IsEmpty);
        Assert.Empty(gone.Siblings);
    }

    [Fact]
    public async Task CausalClient_As_KeepsTheCallersNameWithEveryBinItWrites()
    {
        var batch = Client.As("nightly-batch");
        await batch.PutAsync("default", "named", "from the batch");
        await Client.PutAsync("default", "named", "anonymous");
        var opened = await Subject("subject-5").OpenAsync();

        var read = await Client.GetAsync<string>("default", "named");
        var status = await Client.GetAsync<ComplianceStatus>(ComplianceStatusGrain.Namespace, "subject-5", opened.Context);

        Assert.Equal(["nightly-batch", null], read.Siblings.OrderBy(s => s.Dot, StringComparer.Ordinal).Select(s => s.Writer));
        Assert.Equal(ComplianceStatusGrain.Writer, Assert.Single(status.Siblings).Writer);
        Assert.Throws<ArgumentOutOfRangeException>(() => Client.As(new string('w', 129)));
    }
}
