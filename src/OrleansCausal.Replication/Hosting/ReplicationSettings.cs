using Microsoft.Extensions.Configuration;
using OrleansCausal.Core;

namespace OrleansCausal.Replication.Hosting;

/// <summary>
/// The replication settings resolved from configuration at start: the local region, the peers
/// (<c>Peers:{Region}</c>), and the options. <see cref="Load"/> refuses bad settings with a clear message.
/// </summary>
public sealed class ReplicationSettings
{
    public const string PeersSection = "Peers";

    public required RegionId Region { get; init; }

    public required IReadOnlyList<PeerConfiguration> Peers { get; init; }

    public required ReplicationOptions Options { get; init; }

    public bool IsAuthenticated => !string.IsNullOrEmpty(Options.Secret);

    public static ReplicationSettings Load(IConfiguration configuration)
    {
        var regionText = configuration["Region"];
        if (!RegionId.TryParse(regionText, out var region))
        {
            throw new InvalidOperationException(
                $"Replication needs the silo's region: set 'Region' to 1-{RegionId.MaxLength} characters from A-Z, a-z, 0-9, '-', '_' (got '{regionText}').");
        }

        var options = new ReplicationOptions();
        configuration.GetSection(ReplicationOptions.SectionName).Bind(options);
        var problems = ReplicationOptionsValidator.Validate(options);
        var peers = new List<PeerConfiguration>();
        foreach (var child in configuration.GetSection(PeersSection).GetChildren())
        {
            if (!RegionId.TryParse(child.Key, out var peerRegion))
            {
                problems.Add($"'{PeersSection}:{child.Key}' does not name a valid region.");
                continue;
            }

            if (peerRegion == region)
            {
                problems.Add($"'{PeersSection}:{child.Key}' names this silo's own region; a region does not replicate to itself.");
                continue;
            }

            var endpoints = new List<Uri>();
            foreach (var part in (child.Value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (Uri.TryCreate(part, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
                {
                    endpoints.Add(uri);
                }
                else
                {
                    problems.Add($"'{PeersSection}:{child.Key}' holds '{part}', which is not an http(s) base URL.");
                }
            }

            if (endpoints.Count == 0)
            {
                problems.Add($"'{PeersSection}:{child.Key}' lists no base URL (expected one or more, comma-separated).");
                continue;
            }

            var peer = new PeerConfiguration(peerRegion, endpoints);
            if (string.IsNullOrEmpty(options.Secret) && !peer.IsLoopbackOnly)
            {
                problems.Add(
                    $"Peer region '{peerRegion}' has non-loopback endpoints ({string.Join(", ", endpoints.Where(e => !e.IsLoopback))}) " +
                    $"but '{ReplicationOptions.SectionName}:{nameof(ReplicationOptions.Secret)}' is not set: replication across a network must be " +
                    "authenticated. Set the same secret in every region.");
            }

            peers.Add(peer);
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException("The replication settings are invalid: " + string.Join(" ", problems));
        }

        return new ReplicationSettings { Region = region, Peers = peers, Options = options };
    }
}
