namespace OrleansCausal.LoadTool;

/// <summary>Picks keys: with probability <c>hotFraction</c> one of the first <c>hotKeys</c>, otherwise any key.</summary>
internal sealed class KeyChooser(int keys, int hotKeys, double hotFraction, int seed)
{
    private readonly Random _random = new(seed);

    public string Next() =>
        "k" + (_random.NextDouble() < hotFraction ? _random.Next(hotKeys) : _random.Next(keys)).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
