using BenchmarkDotNet.Running;
using Crm.Benchmarks.Harness;

// dotnet run -c Release --project benchmarks/Crm.Benchmarks -- --filter *         the micro-benchmarks
// dotnet run -c Release --project benchmarks/Crm.Benchmarks -- send [options]     the end-to-end send harness
return args.Length > 0 && args[0] == "send"
    ? await SendHarness.RunAsync(args[1..])
    : RunMicro(args);

static int RunMicro(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(SendHarness).Assembly).Run(args);
    return 0;
}
