using OrleansCausal.Core;

namespace OrleansCausal.Runtime.Options;

/// <summary>How long a record remembers the operation ids (<c>Idempotency-Key</c>) it has held (<c>Idempotency:*</c>).
/// Every region must use the same values: the window is part of the merge rule (see <see cref="OperationWindow"/>).</summary>
public sealed class IdempotencyOptions
{
    /// <summary>The most operations one record remembers (the newest by accepted time, then dot).</summary>
    public int MaxOperations { get; set; } = OperationWindow.Default.MaxCount;

    /// <summary>How much older than the record's newest remembered operation an operation may be and still be remembered.</summary>
    public TimeSpan MaxAge { get; set; } = OperationWindow.Default.MaxAge;

    /// <summary>The window these settings describe (valid once <see cref="OrleansCausalOptionsValidator"/> passed).</summary>
    public OperationWindow Window => new(MaxOperations, MaxAge);

    /// <summary>Every problem with these settings, named by configuration key.</summary>
    public IEnumerable<string> Problems()
    {
        if (MaxOperations is < 1 or > 100_000)
        {
            yield return $"Idempotency:{nameof(MaxOperations)} must be between 1 and 100000 (it is {MaxOperations}).";
        }

        if (MaxAge <= TimeSpan.Zero)
        {
            yield return $"Idempotency:{nameof(MaxAge)} must be positive (it is {MaxAge}).";
        }
    }
}
