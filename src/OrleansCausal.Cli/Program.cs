using OrleansCausal.Cli;

return await CliApp.RunAsync(args, CliEnvironment.FromProcess());
