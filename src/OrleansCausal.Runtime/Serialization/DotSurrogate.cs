using OrleansCausal.Core;

namespace OrleansCausal.Runtime.Serialization;

/// <summary>How a <see cref="Dot"/> crosses silos: its text form (<c>region.epoch.counter</c>).</summary>
[GenerateSerializer]
public struct DotSurrogate
{
    [Id(0)]
    public string Text;
}

[RegisterConverter]
public sealed class DotSurrogateConverter : IConverter<Dot, DotSurrogate>
{
    public Dot ConvertFromSurrogate(in DotSurrogate surrogate) =>
        Dot.TryParse(surrogate.Text, out var dot) ? dot : throw new FormatException($"'{surrogate.Text}' is not a dot.");

    public DotSurrogate ConvertToSurrogate(in Dot value) => new() { Text = value.ToString() };
}
