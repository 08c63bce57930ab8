if (args.Length > 0 && args[0] == "replication")
{
    await OrleansCausal.Benchmarks.Replication.ReplicationLagRun.RunAsync(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "soak")
{
    await OrleansCausal.Benchmarks.Storage.StorageSoakRun.RunAsync(args[1..]);
    return;
}

BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
