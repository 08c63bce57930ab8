namespace OrleansCausal.Gateway.Auth;

/// <summary>One configured API key: <c>Auth:ApiKeys:{Name}</c> = <see cref="Secret"/>. The name identifies the caller
/// in logs and to endpoints (the authenticated principal's name); the secret is never logged.</summary>
public sealed record ApiKey(string Name, string Secret)
{
    /// <summary>The name only: a key must not reach a log through a record's generated <c>ToString</c>.</summary>
    public override string ToString() => $"ApiKey {{ Name = {Name} }}";
}
