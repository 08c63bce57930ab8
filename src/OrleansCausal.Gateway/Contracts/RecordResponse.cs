using System.Text.Json.Serialization;
using OrleansCausal.Runtime.Records;

namespace OrleansCausal.Gateway.Contracts;

/// <summary>The body of GET and PUT: the resolver's value, every live sibling, the distinct live values with the dots
/// holding each (equal siblings collapse: "10D, 10D, 10F" is two values), and the causal context token (also sent as
/// the <c>Causal-Context</c> header).</summary>
public sealed record RecordResponse(
    string Namespace, string Key, RawJson? Value, IReadOnlyList<SiblingResponse> Siblings, IReadOnlyList<ValueResponse> Values, string Context)
{
    public static RecordResponse From(RecordView view, string context)
    {
        var siblings = new SiblingResponse[view.Siblings.Count];
        for (var i = 0; i < siblings.Length; i++)
        {
            var bin = view.Siblings[i];
            siblings[i] = new SiblingResponse(new RawJson(bin.Value!), bin.Dot.ToString(), bin.Dot.Region.Value, bin.WrittenAt, bin.Writer);
        }

        var groups = view.Values;
        var values = new ValueResponse[groups.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = new ValueResponse(new RawJson(groups[i].Value), groups[i].Dots.Select(d => d.ToString()).ToArray());
        }

        return new RecordResponse(view.Key.Namespace, view.Key.Key, view.Chosen is null ? null : new RawJson(view.Chosen.Value!), siblings, values, context);
    }
}

/// <summary>One distinct live value and the dots (<c>region.epoch.counter</c>) of the siblings holding exactly it.</summary>
public sealed record ValueResponse(RawJson Value, IReadOnlyList<string> Dots);

/// <summary>One live sibling: its value, dot (<c>region.epoch.counter</c>), region, accepted time and writer (the API key's name or an in-process caller's;
/// omitted when unknown).</summary>
public sealed record SiblingResponse(
    RawJson Value,
    string Dot,
    string Region,
    DateTimeOffset WrittenAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Writer);
