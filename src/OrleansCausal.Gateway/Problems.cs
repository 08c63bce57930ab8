using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace OrleansCausal.Gateway;

/// <summary>RFC 7807 problem details, written the same way everywhere.</summary>
internal static class Problems
{
    public static IResult Result(int status, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);

    public static async Task Write(HttpContext context, int status, string title, string detail, bool bearerChallenge = false)
    {
        if (bearerChallenge)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }

        var service = context.RequestServices.GetService(typeof(IProblemDetailsService)) as IProblemDetailsService;
        context.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (service is null || !await service.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }))
        {
            await context.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
        }
    }
}
