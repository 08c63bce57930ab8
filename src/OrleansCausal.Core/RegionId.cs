using System.Diagnostics.CodeAnalysis;

namespace OrleansCausal.Core;

/// <summary>
/// The name of a region ("eu-west", "A"). 1–32 characters from <c>[A-Za-z0-9_-]</c>, compared ordinally.
/// </summary>
public readonly record struct RegionId : IComparable<RegionId>
{
    public const int MaxLength = 32;

    private readonly string? _value;

    private RegionId(string value) => _value = value;

    public string Value => _value ?? throw new InvalidOperationException("A default RegionId has no value.");

    public static RegionId Parse(string value) =>
        TryParse(value, out var region)
            ? region
            : throw new ArgumentException(
                $"'{value}' is not a valid region id: use 1-{MaxLength} characters from A-Z, a-z, 0-9, '-' and '_'.",
                nameof(value));

    public static bool TryParse([NotNullWhen(true)] string? value, out RegionId region)
    {
        region = default;
        if (!IsValid(value))
        {
            return false;
        }

        region = new RegionId(value!);
        return true;
    }

    public static bool IsValid([NotNullWhen(true)] string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    public int CompareTo(RegionId other) => string.CompareOrdinal(_value, other._value);

    public bool Equals(RegionId other) => string.Equals(_value, other._value, StringComparison.Ordinal);

    public override int GetHashCode() => _value is null ? 0 : StringComparer.Ordinal.GetHashCode(_value);

    public override string ToString() => _value ?? string.Empty;
}
