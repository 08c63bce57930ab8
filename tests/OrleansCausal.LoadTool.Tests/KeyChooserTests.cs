namespace OrleansCausal.LoadTool.Tests;

public sealed class KeyChooserTests
{
    [Fact]
    public void Keys_are_in_range_repeatable_and_the_hot_set_takes_its_fraction()
    {
        const int keys = 10_000, hotKeys = 100, operations = 200_000;
        var chosen = Enumerable.Range(0, operations).Select(i => KeyChooser.ForIndex(i, keys, hotKeys, 0.9)).ToArray();

        Assert.All(chosen, key => Assert.InRange(int.Parse(key[1..], System.Globalization.CultureInfo.InvariantCulture), 0, keys - 1));
        Assert.Equal(chosen[12_345], KeyChooser.ForIndex(12_345, keys, hotKeys, 0.9));
        var hot = chosen.Count(key => int.Parse(key[1..], System.Globalization.CultureInfo.InvariantCulture) < hotKeys) / (double)operations;
        Assert.InRange(hot, 0.9 + 0.1 * hotKeys / keys - 0.01, 0.9 + 0.1 * hotKeys / keys + 0.01);
        Assert.Equal(hotKeys, chosen.Where(key => int.Parse(key[1..], System.Globalization.CultureInfo.InvariantCulture) < hotKeys).Distinct().Count());
    }
}
