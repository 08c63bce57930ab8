using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace OrleansCausal.Gateway;

/// <summary>RFC 7807 problem details, written the same way everywhere (<c>AddProblemDetails</c>): an endpoint returns
/// <see cref="Result"/>; middleware (authentication, rate limiting) calls <see cref="Write"/>. <c>error</c> is the
/// machine-readable reason.</summary>
internal static class Problems
{
    public static ProblemHttpResult Result(int status, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);

    public static ProblemDetails Details(int status, string title, string detail, IDictionary<string, object?>? extensions = null)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
        {
            problem.Extensions[key] = value;
        }

        return problem;
    }

    public static async Task Write(HttpContext context, int status, string title, string detail, string? error = null)
    {
        var service = context.RequestServices.GetService(typeof(IProblemDetailsService)) as IProblemDetailsService;
        context.Response.StatusCode = status;
        var problem = Details(status, title, detail, error is null ? null : new Dictionary<string, object?> { ["error"] = error });
        if (service is null || !await service.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }))
        {
            await context.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
        }
    }
}
