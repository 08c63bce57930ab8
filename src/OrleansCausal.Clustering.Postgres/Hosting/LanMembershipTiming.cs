using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;

namespace OrleansCausal.Clustering.Postgres.Hosting;

/// <summary>
/// Membership timing for a region whose silos share one host or a LAN (sub-millisecond round trips), aimed at: after
/// <c>kill -9</c> of one silo of two, the survivor declares it dead and serves its grains within 20 s, with no false
/// suspicion of a silo that is merely busy.
/// <list type="table">
/// <item><term><see cref="ProbeTimeout"/> 2 s (Orleans: 5 s)</term><description>Initial probe timeout and period.
/// Orleans adapts it per peer to observed probe times, between <see cref="MinProbeTimeout"/> 1 s and
/// <see cref="MaxProbeTimeout"/> 5 s (Orleans: 2.5–20 s). A LAN probe answers in well under a millisecond, so even
/// 1 s leaves three orders of magnitude for GC pauses and thread-pool stalls.</description></item>
/// <item><term><see cref="NumMissedProbesLimit"/> 3 (the Orleans default)</term><description>Three consecutive
/// misses, not one or two: a single long GC pause cannot cause a suspicion.</description></item>
/// <item><term><see cref="TableRefreshTimeout"/> 5 s (Orleans: 60 s)</term><description>Changes spread by gossip at
/// once; the periodic read only bounds how stale a silo that missed a gossip can be. One small SELECT per silo every
/// 5 s is nothing for PostgreSQL.</description></item>
/// <item><term><see cref="IAmAliveTablePublishTimeout"/> 10 s (Orleans: 30 s)</term><description>Heartbeats are for
/// diagnostics and for spotting stale Active rows; a fresher column helps operators reading the table.</description></item>
/// <item><term><see cref="DefunctSiloExpiration"/> 1 day, cleanup every hour (Orleans: 7 days)</term><description>A
/// region restarted in place leaves a Dead row per restart; a day is plenty for post-mortems. Orleans' one-hour
/// minimum retention still protects a late-joining zombie from missing that it was declared dead.</description></item>
/// </list>
/// Budget: a killed silo refuses connections, so each probe fails at once and three probe periods (1–2 s each, at
/// most 5 s) plus one table write and a gossip round declare it dead in a few seconds; a silo that hangs without
/// closing its sockets costs at most 3 × 5 s = 15 s before the vote, still inside 20 s. Under load, Orleans' connection
/// liveness check (on by default) suppresses votes against a peer whose connection is still delivering messages, and
/// local health degradation extends the probe timeout (also on by default), so a busy silo is not suspected.
/// A two-silo cluster needs one vote (Orleans caps the votes needed by the number of live silos).
/// </summary>
public static class LanMembershipTiming
{
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan MinProbeTimeout = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxProbeTimeout = TimeSpan.FromSeconds(5);
    public const int NumMissedProbesLimit = 3;
    public static readonly TimeSpan TableRefreshTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefunctSiloExpiration = TimeSpan.FromDays(1);
    public static readonly TimeSpan DefunctSiloCleanupPeriod = TimeSpan.FromHours(1);

    /// <summary>The longest a silo that stopped answering probes stays Active: every allowed probe missed at the
    /// longest timeout.</summary>
    public static TimeSpan WorstCaseSuspicion => MaxProbeTimeout * NumMissedProbesLimit;

    /// <summary>Sets the values above; everything else keeps Orleans' defaults.</summary>
    public static void Apply(ClusterMembershipOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ProbeTimeout = ProbeTimeout;
        options.MinProbeTimeout = MinProbeTimeout;
        options.MaxProbeTimeout = MaxProbeTimeout;
        options.NumMissedProbesLimit = NumMissedProbesLimit;
        options.TableRefreshTimeout = TableRefreshTimeout;
        options.IAmAliveTablePublishTimeout = IAmAliveTablePublishTimeout;
        options.DefunctSiloExpiration = DefunctSiloExpiration;
        options.DefunctSiloCleanupPeriod = DefunctSiloCleanupPeriod;
    }
}

/// <summary>Silo-builder extension for <see cref="LanMembershipTiming"/>.</summary>
public static class LanMembershipTimingExtensions
{
    /// <summary>Applies <see cref="LanMembershipTiming"/> to <see cref="ClusterMembershipOptions"/>. A caller
    /// overrides any value by configuring <see cref="ClusterMembershipOptions"/> after this call.</summary>
    public static ISiloBuilder UseLanMembershipTiming(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.ConfigureServices(services => services.Configure<ClusterMembershipOptions>(LanMembershipTiming.Apply));
    }
}
