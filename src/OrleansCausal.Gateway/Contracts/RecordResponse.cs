using System.Text.Json.Serialization;
using OrleansCausal.Runtime.Records;

namespace OrleansCausal.Gateway.Contracts;

/// <summary>The body of GET and PUT: the resolver's value, every live sibling, and the causal context token (also sent
/// as the <c>Causal-Context</c> header).</summary>
public sealed record RecordResponse(string Namespace, string Key, RawJson? Value, IReadOnlyList<SiblingResponse> Siblings, string Context)
{
    public static RecordResponse From(RecordView view, string context)
    {
        var siblings = new SiblingResponse[view.Siblings.Count];
        for (var i = 0; i < siblings.Length; i++)
        {
            var bin = view.Siblings[i];
            siblings[i] = new SiblingResponse(new RawJson(bin.Value!), bin.Dot.ToString(), bin.Dot.Region.Value, bin.WrittenAt, bin.Writer);
        }

        return new RecordResponse(view.Key.Namespace, view.Key.Key, view.Chosen is null ? null : new RawJson(view.Chosen.Value!), siblings, context);
    }
}

/// <summary>One live sibling: value, dot (<c>region.epoch.counter</c>), region, and the time it was accepted.</summary>
/// <summary>One live value: its dot, region, accepted time and writer (the API key's name or an in-process caller's;
/// omitted when unknown).</summary>
public sealed record SiblingResponse(
    RawJson Value,
    string Dot,
    string Region,
    DateTimeOffset WrittenAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Writer);
